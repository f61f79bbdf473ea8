package webhook

// Delivery protocol (DESIGN.md "Added in the second wave"; issue 16).
//
// Invariant: every signal raised and every state change committed reaches every endpoint
// that wanted it at the time, at least once, unless the endpoint is deleted or disabled.
//
//  1. The signal store writes the outbox rows (webhook_events, one per endpoint, one
//     event_id per change) in the same transaction as the signal or its state change
//     (store.raiseTx, store.ChangeSignal → enqueue). A crash before the commit loses both;
//     after it, both are on disk. Never move enqueue out of that transaction.
//  2. A worker claims due rows by pushing next_attempt_at a lease ahead with a conditional
//     UPDATE (store.ClaimWebhookEvents). Of two workers, one wins each row. A worker that
//     dies holding a row leaves it to the next worker once the lease ends.
//  3. It POSTs the stored payload with X-Gimark-Event-Id (the row's event_id, the same on
//     every retry and after a restart), X-Gimark-Timestamp and X-Gimark-Signature
//     (Sign). Connections are checked at connect time against private ranges.
//  4. store.FinishWebhookAttempt logs the attempt and marks the row delivered, or schedules
//     the next attempt after Backoff, or, after RetryFor, failed. A crash between the POST
//     and this step delivers the event again: receivers dedupe on the event ID.
//  5. An endpoint whose deliveries have failed continuously for DisableAfter is disabled and
//     its pending rows abandoned; GET /api/v1/webhooks shows disabled_at to its owner.
//
// Tests: TestWebhookRetriesThenDeliversOnce (steps 3–4), TestWebhookSurvivesRestart (1–2),
// TestWebhookDisabledAfterADay (5), TestWebhookRefusesPrivateAddresses (3).
