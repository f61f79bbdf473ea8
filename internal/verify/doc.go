// Package verify answers "is this label genuine?" for consumers and machines (DESIGN.md
// "Verification"). The hot path is one indexed read of the label; the product, enterprise
// and filing facts come from a small cache that state changes invalidate, and the scan is
// written later, in batches, by a Recorder.
//
// # Why counting needs a protocol
//
// Every answer says which scan this is ("the 3rd scan of this label"). The count lives in
// two places at once: labels.scan_count in the database, and the Recorder's pending tally
// (label id → scans recorded but not yet in that column). A verification adds the two, plus
// one for itself. The danger is the moment a write moves scans from one place to the other:
// a reader that sees the column after the commit and the tally before the Recorder has
// shrunk it counts those scans twice; a reader that sees neither would count them not at
// all. The protocol below rules both out without making the consumer wait for writes that
// have not committed.
//
// Who writes counts: on MySQL each flush (RecordScans) adds its labels' counts in its own
// transaction; on SQLite a flush only appends scan rows, and a fold (FoldScanCounts) adds
// many flushes' counts later. Either way, one "count write" is a transaction that adds some
// labels' pending scans to their columns. The Recorder's writer goroutine runs one at a time.
//
// # The steps, and what each keeps true
//
// Recording (Recorder.Record, any goroutine, under r.mu):
//
//  1. The scan joins the buffer and its label's pending tally in the same critical section.
//     Invariant: a scan that has been answered is in the tally until its count is in the
//     database (or it was dropped). Held by TestRecorderFlushesFullBatches.
//
// Writing (the writer goroutine, Recorder.flush and Recorder.fold):
//
//  2. newWrite describes the write: the set of labels whose counts it changes. That set must
//     not change afterwards (fold hands the store the map it has, and starts a new one for
//     later flushes).
//  3. The store runs the write's statements in a transaction. Nothing is announced yet: until
//     the commit nobody can see the new counts, so readers of those labels need not wait.
//     Held by TestVerifyDoesNotWaitForAnUncommittedWrite.
//  4. The store calls the committing callback (RecordScans and FoldScanCounts take it as a
//     parameter) inside the transaction, after its last statement and just before COMMIT.
//     Recorder.committing gives the write the next sequence number and makes it the current
//     write (r.cur). A retried transaction calls it again; the write is numbered once.
//     Invariant: any read that could see this write's counts began after the write was
//     numbered, or overlaps it and will find it (step 6).
//  5. After the transaction ends, endWrite, under r.mu, takes the written scans out of the
//     pending tallies (settle), moves the write from r.cur to r.prev, and then closes its
//     done channel. A failed flush also leaves the tally (its scans are dropped and counted
//     as such); a failed fold leaves everything pending, to be folded next time.
//     Invariant: once done is closed, the column and the tally no longer both hold the
//     write's scans.
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
//     flush after its commit) and, on both engines through the HTTP API,
//     TestConcurrentScansLoseNoCount and TestScansCountBeforeTheyAreFolded in package api.
//
// # What must never be reordered
//
//   - Record: the tally update and the buffer append stay in one critical section (else the
//     writer could write a scan that is not yet in the tally, and step 5 would take it out
//     of a tally it never joined).
//   - committing (step 4) runs after the write's last statement and before COMMIT: earlier
//     would make readers wait for a write that may take a second to prepare; after COMMIT
//     would leave a window in which a reader sees the new column, takes a mark past the write,
//     and counts the same scans in the tally too.
//   - endWrite (step 5) settles the tally before it closes done, both after the transaction
//     has ended: a woken reader must find the tally already shrunk.
//   - countedLabel takes the mark before the read and asks Pending after it; swapped, a write
//     committing between them would go unseen.
//   - A new Recorder on a store that defers counts folds before anything reads a count: scans
//     written before a crash are in no tally. Held by TestScansCountBeforeTheyAreFolded.
//
// Record never blocks: when the buffer is full the scan is dropped and counted
// (TestRecorderDropsRatherThanBlocks); the metrics expose the count, and the benchmark checks
// it stays zero.
package verify
