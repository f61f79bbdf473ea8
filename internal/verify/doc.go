// Package verify answers "is this label genuine?" for consumers and machines (DESIGN.md
// "Verification"). The hot path is one indexed read of the label; the product, enterprise
// and filing facts come from a small cache that state changes invalidate, and the scan is
// written later, in batches, by a Recorder.
//
// # Why counting needs a protocol
//
// Every answer says which scan this is ("the 3rd scan of this label"). The count lives in
// two places at once: labels.scan_count in the database, and the Recorder's pending tally
// (label id → this instance's scans recorded but not known to be in that column). A
// verification adds the two, plus one for itself. The danger is the moment a write moves
// scans from one place to the other: a reader that sees the column after the write and the
// tally before it shrank counts those scans twice; a reader that sees neither would count them
// not at all. Two protocols rule both out without making the consumer wait for writes that
// have not committed: one where counts are folded (SQLite, MySQL), one where each flush
// applies its counts (a Galera cluster, where the folds' guard does not hold).
//
// # Folded counts
//
// A flush (RecordScans) only appends scan rows. A fold (FoldScanCounts), run by the writer
// goroutine every GIMARK_SCAN_FOLD_SEC (60 s on SQLite, 10 s on MySQL), at 600,000 waiting
// scans, on Sync, at shutdown and at start, applies every scan with id in (mark, MAX(id)], by
// any instance, to its label in label order and moves the mark (scan_fold.last_scan_id) to
// MAX(id), in one transaction. Several instances may share a MySQL database, so no instance
// knows the scans another has not folded; what each knows is its own.
//
// The store keeps three things true:
//
//  1. A fold applies a flush entirely or not at all, and never moves the mark past a scan
//     whose flush has not committed. SQLite runs one write transaction at a time. On MySQL,
//     auto-increment ids are handed out at insert, not at commit, so a flush holds a shared
//     lock on the mark's row from before its first insert to its commit, and a fold takes the
//     row FOR UPDATE before it reads MAX(id): every lower id is then committed or rolled back,
//     and a flush that waits for the fold gets ids above the new mark. Held by
//     TestFoldWaitsForAFlushInProgress (package store).
//  2. The mark and the counts move in one transaction: a crash folds nothing twice and
//     loses nothing, and scans written by a process that died are folded by the next fold of
//     any instance.
//  3. A fold sets each label it changes to its new mark (labels.folded_to) in the statement
//     that changes the count, and verification's one read (LabelForVerify, one prepared
//     statement) returns that column with the count, from the same row: the count holds
//     exactly the label's scans with id up to it (model.VerifyRow.FoldMark), and no scan of
//     the label lies between it and the global mark (the fold that took one in would have
//     moved it). A column of the row, not a subquery on scan_fold: that cost MySQL about a
//     sixth of the read.
//
// The Recorder keeps, under r.mu, the pending tally and the flushes it wrote that are not
// known to be folded (r.written, in id order, each named by one of its scan ids), and the
// flush being written (r.writing):
//
//  1. Record puts the scan into the buffer and its label's tally in one critical section.
//  2. A flush names itself (w.id) inside its transaction, just before COMMIT (the store's
//     committing callback): before that no fold can include it, so a reader counts it; from
//     then on a mark at or past w.id means it is folded.
//  3. After the flush, it joins r.written (or, if it failed, its scans leave the tally: they
//     are dropped and counted as such).
//  4. Unfolded(label, mark, forgets), after the read: the tally, less the flushes in
//     r.written (and r.writing) with an id at or below the mark the read returned. A flush
//     holding a scan of the label with its id at or below the label's mark was folded (that
//     fold's MAX(id) passed it); one past the mark was not (its fold would have moved the
//     label's mark past it). What is left is this
//     instance's scans that the count read does not hold: buffered, being written, or written
//     past the mark. Another instance's scans past the mark are not counted: they show once
//     a fold takes them in, at most one fold interval plus one flush after they were made.
//  5. forget, in the writer goroutine after each tick and each fold, takes the flushes at or
//     below the highest mark seen (by reads or by this instance's folds; every label's mark
//     is at or below the global one, so those flushes are folded) out of r.written and the
//     tally, and counts that it did (r.forgets). A read may have begun before the fold that
//     folded them, and then its count holds them no more than the tally does: the reader
//     takes Forgets before the read, Unfolded refuses when it has changed since, and the
//     reader reads again at once (rare: forgets happen a few times a fold interval;
//     TestInstancesCountConcurrently fails without it).
//
// So an instance's answer is every scan folded by the read's snapshot plus its own not in it:
// exact for its own scans, and for a label read twice by one caller, numbered strictly
// upwards. Held, on both engines through the real store and recorder, by
// TestInstancesCountExactly (two instances, every answer checked against a model, under a
// random order of verifications, flushes and folds) and TestInstancesCountConcurrently
// (goroutines on two instances with flushes and folds running beside them; every label's
// count equals the verifications made); and through the HTTP API by
// TestConcurrentScansLoseNoCount and TestScansCountBeforeTheyAreFolded in package api.
//
// # Counts applied at each flush
//
// On a Galera cluster row locks do not span nodes, so a fold could move the mark past a scan
// another node has inserted and not yet committed; there each flush adds its labels' counts
// in its own transaction instead. One "count write" is then a flush, and the Recorder's
// writer goroutine runs one at a time.
//
// Recording (Recorder.Record, any goroutine, under r.mu):
//
//  1. The scan joins the buffer and its label's pending tally in the same critical section.
//     Invariant: a scan that has been answered is in the tally until its count is in the
//     database (or it was dropped). Held by TestRecorderFlushesFullBatches.
//
// Writing (the writer goroutine, Recorder.flush):
//
//  2. newWrite describes the write: the set of labels whose counts it changes. That set must
//     not change afterwards.
//  3. The store runs the write's statements in a transaction. Nothing is announced yet: until
//     the commit nobody can see the new counts, so readers of those labels need not wait.
//     Held by TestVerifyDoesNotWaitForAnUncommittedWrite.
//  4. The store calls the committing callback inside the transaction, after its last
//     statement and just before COMMIT. Recorder.committing gives the write the next sequence
//     number and makes it the current write (r.cur). A retried transaction calls it again;
//     the write is numbered once. Invariant: any read that could see this write's counts
//     began after the write was numbered, or overlaps it and will find it (step 6).
//  5. After the transaction ends, endWrite, under r.mu, takes the written scans out of the
//     pending tallies (settle), moves the write from r.cur to r.prev, and then closes its
//     done channel. A failed flush also leaves the tally (its scans are dropped and counted
//     as such). Invariant: once done is closed, the column and the tally no longer both hold
//     the write's scans.
//
// Reading (Service.countedLabel, any goroutine):
//
//  6. Mark, under r.mu, before the database read: the sequence number of the first write the
//     read could race (the current one if a write is committing, else the next to come).
//  7. LabelForVerify reads the column.
//  8. Pending(label, mark), under r.mu, after the read: if a write numbered mark or later
//     touches this label, the read may hold that write's scans while the tally still does too,
//     so Pending returns the write's done channel; the reader waits on it (or its ctx) and
//     starts again at step 6. If more than one write was numbered since the mark (rare),
//     Pending cannot tell and the reader reads again at once. Otherwise Pending returns the
//     tally: no write of this label committed between mark and now, so column and tally
//     are disjoint. Held by TestVerifyDoesNotCountAWriteTwice (in-memory store that stops a
//     flush after its commit).
//
// # What must never be reordered
//
//   - Record: the tally update and the buffer append stay in one critical section (else the
//     writer could write a scan that is not yet in the tally, and a write would take it out
//     of a tally it never joined).
//   - Folded counts: a flush names itself before COMMIT, never after (a fold by another
//     instance could take it in first, and a reader would count it twice); a flush on MySQL
//     takes its shared lock on the mark before its first insert; a fold takes the mark FOR
//     UPDATE before it reads MAX(id); a fold sets folded_to in the statement that changes the
//     count, and the count and folded_to are read in one statement; Forgets is taken before
//     the read, and Unfolded refuses a read during which flushes were forgotten.
//   - Counts applied at each flush: committing (step 4) runs after the write's last statement
//     and before COMMIT (earlier would make readers wait for a write still preparing; after
//     COMMIT would leave a window in which a reader sees the new column, takes a mark past the
//     write, and counts the same scans in the tally too); endWrite (step 5) settles the tally
//     before it closes done; countedLabel takes the mark before the read and asks Pending
//     after it.
//
// Record never blocks: when the buffer is full the scan is dropped and counted
// (TestRecorderDropsRatherThanBlocks); the metrics expose the count, and the benchmark checks
// it stays zero.
package verify
