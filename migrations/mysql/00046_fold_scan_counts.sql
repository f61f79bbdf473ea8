-- +goose Up
-- Label counts on MySQL are folded now, as on SQLite: a flush appends scans, and a fold by any
-- instance applies every scan past the mark to its label and moves the mark. Counts so far
-- were applied by each flush, so the mark starts at the last scan written. Stop every
-- instance of the older version before this runs: one still applying counts at each flush
-- would have its later scans counted again by a fold.
INSERT INTO scan_fold (id, last_scan_id) SELECT 1, COALESCE(MAX(id), 0) FROM scans
ON DUPLICATE KEY UPDATE last_scan_id = VALUES(last_scan_id);

-- +goose Down
-- Back to counts applied at each flush: fold what waits, then drop the mark.
UPDATE labels JOIN (SELECT s.label_id AS id, COUNT(*) AS c, MIN(s.scanned_at) AS f, MAX(s.scanned_at) AS l
    FROM scans s JOIN scan_fold m ON m.id = 1 AND s.id > m.last_scan_id
    WHERE s.label_id IS NOT NULL GROUP BY s.label_id) AS j ON labels.id = j.id
SET labels.scan_count = labels.scan_count + j.c, labels.first_scanned_at = COALESCE(labels.first_scanned_at, j.f),
labels.last_scanned_at = CASE WHEN labels.last_scanned_at IS NULL OR labels.last_scanned_at < j.l THEN j.l ELSE labels.last_scanned_at END;
DELETE FROM scan_fold;
