package signal

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gimark/model"
)

// Params are the rules' parameters; main fills them from GIMARK_RULE_* (internal/config),
// whose defaults are the ones below.
type Params struct {
	OverScanned    int64         // GIMARK_SCAN_WARN_THRESHOLD (20): a label scanned more often
	SpreadNetworks int           // GIMARK_RULE_SPREAD_NETWORKS (3): distinct client networks of one label…
	SpreadWindow   time.Duration // GIMARK_RULE_SPREAD_WINDOW_HOURS (24 h): …within this window
	BurstScans     int           // GIMARK_RULE_BURST_SCANS (50): scans of one batch's labels from one network…
	BurstWindow    time.Duration // GIMARK_RULE_BURST_WINDOW_MIN (10 min): …within this window
	GuessCodes     int           // GIMARK_RULE_GUESS_CODES (20): distinct unknown codes from one network in an hour
	UnknownTries   int64         // GIMARK_RULE_UNKNOWN_TRIES (2): tries of one never-issued code
}

// DefaultParams are the defaults of the GIMARK_RULE_* variables.
var DefaultParams = Params{OverScanned: 20, SpreadNetworks: 3, SpreadWindow: 24 * time.Hour, BurstScans: 50,
	BurstWindow: 10 * time.Minute, GuessCodes: 20, UnknownTries: 2}

// guessWindow is the code-guessing rule's window, and how long it tightens a network's
// verification limit.
const guessWindow = time.Hour

// RuleRow is one row of the rule table: its name, its parameters as configured and what it
// raises, in English for the API and in Chinese (the ZH fields) for the console.
type RuleRow struct {
	Name             string
	Params, ParamsZH string
	Raises, RaisesZH string
}

// Table lists every rule with its parameters.
func (p Params) Table() []RuleRow {
	return []RuleRow{
		{model.RuleOverScanned, fmt.Sprintf("more than %d scans of one label (GIMARK_SCAN_WARN_THRESHOLD)", p.OverScanned),
			fmt.Sprintf("同一标签被扫描超过 %d 次（GIMARK_SCAN_WARN_THRESHOLD）", p.OverScanned),
			"over_scanned on the label; count = its scans", "针对该标签；次数 = 扫描次数"},
		{model.RuleSpread, fmt.Sprintf("at least %d client networks (/24, /48) scan one label within %s", p.SpreadNetworks, p.SpreadWindow),
			fmt.Sprintf("%s 内至少 %d 个不同网络（/24、/48）扫描同一标签", zhDuration(p.SpreadWindow), p.SpreadNetworks),
			"spread on the label; count = distinct networks", "针对该标签；次数 = 不同网络数"},
		{model.RuleBurst, fmt.Sprintf("at least %d scans of one batch's labels from one network within %s", p.BurstScans, p.BurstWindow),
			fmt.Sprintf("%s 内同一网络扫描同一批次的标签至少 %d 次", zhDuration(p.BurstWindow), p.BurstScans),
			"burst on the batch and network; count = scans in the window", "针对该批次和网络；次数 = 窗口内扫描次数"},
		{model.RuleCodeGuessing, fmt.Sprintf("one network tries at least %d distinct unknown codes within %s", p.GuessCodes, guessWindow),
			fmt.Sprintf("%s 内同一网络查询至少 %d 个不同的未登记编码", zhDuration(guessWindow), p.GuessCodes),
			"code_guessing on the network; its verification limit is cut to a tenth for an hour", "针对该网络；其查询限额降为十分之一，持续 1 小时"},
		{model.RuleDeadLabel, "scans of a voided label, or of a label whose filing is suspended, revoked or cancelled",
			"已作废的标签，或使用资格已暂停、撤销、注销的企业的标签被扫描",
			"dead_label on the label; count = such scans (judged by what the scan was told)", "针对该标签；次数 = 此类扫描次数（按扫描时的答复判断）"},
		{model.RuleUnknownCode, fmt.Sprintf("a never-issued code tried at least %d times (GIMARK_RULE_UNKNOWN_TRIES)", p.UnknownTries),
			fmt.Sprintf("从未发放的编码被查询至少 %d 次（GIMARK_RULE_UNKNOWN_TRIES）", p.UnknownTries),
			"unknown_code on the code; count = its tries", "针对该编码；次数 = 查询次数"},
		{model.RuleConsumerReport, "a consumer reports a label or code from the verification page",
			"消费者在查询页举报标签或编码",
			"consumer_report on the label or code; count = reports", "针对该标签或编码；次数 = 举报次数"},
	}
}

// zhDuration writes d in Chinese hours or minutes (24 小时, 10 分钟).
func zhDuration(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + " 小时"
	}
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " 分钟"
	}
	return d.String()
}

// RuleStore is what the rules read and write.
type RuleStore interface {
	LabelOwners(ctx context.Context, ids []int64) (map[int64]model.LabelOwner, error)
	UnknownCodeTries(ctx context.Context, codes []string, atLeast int64) ([]model.UnknownCode, error)
	RaiseSignals(ctx context.Context, raises []model.SignalRaise) error
}

// Rules evaluates the rule table over scans after they are written, in the scan recorder's
// writer goroutine: never on a consumer's request. A signal is raised once per key and then
// updated (store.RaiseSignals), so a copied label scanned a hundred times is one signal.
//
// The windows of spread, burst and code guessing are kept in memory, per instance: several
// instances behind a load balancer each see their share of the scans, and a restart starts
// the windows afresh. Counts of over-scanned labels and unknown codes come from the database
// and are exact.
type Rules struct {
	store RuleStore
	log   *slog.Logger
	p     Params

	mu sync.Mutex
	// spread: label → networks seen within the window. The map holds no pointers, so the
	// garbage collector does not walk it (it has an entry per label scanned in the window);
	// labels seen from more than spreadSlots networks keep the rest in spreadMore.
	spread     map[int64][spreadSlots]netAt
	spreadMore map[int64][]netAt
	burst      map[burstKey][]int64  // (batch, network) → scan times (Unix ns), the last BurstScans
	guess      map[string][]codeSeen // network → unknown codes within the hour
	tight      map[string]time.Time  // network prefix → its verification limit is tightened until
	// written is what was last written per key (fresh skips rewriting an unchanged total).
	written map[string]writtenRaise
	ntight  atomic.Int64 // len(tight), read without the lock on the request path
	swept   time.Time
}

type writtenRaise struct {
	count int64
	at    time.Time
}

// netAt is a network (a 64-bit digest of its keyed hash) and when it was last seen; at 0
// marks an empty slot.
type netAt struct {
	net uint64
	at  int64
}

const spreadSlots = 4

// netID digests a network's hash (FNV-1a): collisions between the networks of one label are
// as unlikely as they are harmless (one network fewer counted).
func netID(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

type codeSeen struct {
	code string
	at   int64
}

type burstKey struct {
	batch int64
	net   string
}

// NewRules wires the rule table.
func NewRules(st RuleStore, log *slog.Logger, p Params) *Rules {
	return &Rules{store: st, log: log, p: p, spread: map[int64][spreadSlots]netAt{}, spreadMore: map[int64][]netAt{}, burst: map[burstKey][]int64{},
		guess: map[string][]codeSeen{}, tight: map[string]time.Time{}, written: map[string]writtenRaise{}}
}

// Params returns the parameters the rules run with.
func (r *Rules) Params() Params { return r.p }

// Running is the parameters the rules run with: DefaultParams when r is nil (no rules
// wired), so the rule table shown is always the one in force.
func (r *Rules) Running() Params {
	if r == nil {
		return DefaultParams
	}
	return r.p
}

// maxTracked bounds each window map: beyond it, entries are swept, and new keys are not
// tracked until some expire (a flood of distinct networks cannot grow memory without bound).
const maxTracked = 2_000_000

// Observe evaluates one written flush. Scans carry what verification read (batch, which
// scan it was, whether the label was dead), so the database is read only for the labels a
// rule fires on (and for scans without those facts); pending gives a label's scans written
// but not yet in its folded count, for scans that do not say which scan they were.
func (r *Rules) Observe(ctx context.Context, scans []model.ObservedScan, pending func(labelID int64) int64) error {
	if len(scans) == 0 {
		return nil
	}
	var unknown []string
	need := map[int64]struct{}{}
	for i := range scans {
		s := &scans[i]
		switch {
		case s.LabelID != nil && (s.BatchID == 0 || s.Count == 0):
			need[*s.LabelID] = struct{}{}
		case s.LabelID == nil && s.Result == model.ResultNotFound:
			unknown = append(unknown, s.Code)
		}
	}
	owners, err := r.owners(ctx, need, nil)
	if err != nil {
		return err
	}
	for i := range scans {
		if s := &scans[i]; s.LabelID != nil && s.BatchID == 0 {
			s.BatchID = owners[*s.LabelID].BatchID
		}
	}
	raises := r.evaluate(scans, owners, pending)
	// Fill in the labels' filing, enterprise and product, for the raises only.
	need = map[int64]struct{}{}
	for _, x := range raises {
		if x.LabelID != nil {
			need[*x.LabelID] = struct{}{}
		}
	}
	if owners, err = r.owners(ctx, need, owners); err != nil {
		return err
	}
	for i := range raises {
		x := &raises[i]
		if x.LabelID == nil {
			continue
		}
		o, ok := owners[*x.LabelID]
		if !ok {
			continue
		}
		batch, filing, ent, product := o.BatchID, o.FilingID, o.EnterpriseID, o.ProductID
		x.BatchID, x.FilingID, x.EnterpriseID, x.ProductID = &batch, &filing, &ent, &product
		if x.Rule == model.RuleBurst {
			x.LabelID = nil // a batch's signal: the label was only where its facts came from
			continue
		}
		x.Code = o.Code
		if x.Rule == model.RuleDeadLabel && o.LabelStatus != model.LabelVoided {
			if w, ok := deadWords[o.FilingStatus]; ok {
				x.Detail = "使用资格已" + w + "的企业标签仍被查询"
			}
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		unknown = slices.Compact(unknown)
		tries, err := r.store.UnknownCodeTries(ctx, unknown, r.p.UnknownTries)
		if err != nil {
			return err
		}
		for _, u := range tries {
			raises = append(raises, model.SignalRaise{Rule: model.RuleUnknownCode, Key: "unknown_code:code:" + u.Code, Code: u.Code,
				Count: u.Count, Absolute: true, First: u.FirstSeen, Last: u.LastSeen,
				Detail: fmt.Sprintf("未登记编码被查询 %d 次", u.Count)})
		}
	}
	raises = r.fresh(raises)
	if err := r.store.RaiseSignals(ctx, raises); err != nil {
		r.forget(raises)
		return err
	}
	return nil
}

// owners reads the labels in need that have is missing.
func (r *Rules) owners(ctx context.Context, need map[int64]struct{}, have map[int64]model.LabelOwner) (map[int64]model.LabelOwner, error) {
	if have == nil {
		have = map[int64]model.LabelOwner{}
	}
	ids := make([]int64, 0, len(need))
	for id := range need {
		if _, ok := have[id]; !ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return have, nil
	}
	slices.Sort(ids)
	got, err := r.store.LabelOwners(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, o := range got {
		have[id] = o
	}
	return have, nil
}

// rewriteEvery bounds how often an unchanged total is written again (its last evidence time
// moves on): each write is a commit, and on SQLite every commit empties the readers' caches.
const rewriteEvery = time.Minute

// fresh drops raises that would write nothing new: an absolute count equal to the one last
// written under the key less than rewriteEvery ago.
func (r *Rules) fresh(raises []model.SignalRaise) []model.SignalRaise {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := raises[:0]
	for _, x := range raises {
		if w, ok := r.written[x.Key]; ok && x.Absolute && w.count == x.Count && x.Last.Sub(w.at) < rewriteEvery {
			continue
		}
		if len(r.written) < maxTracked {
			r.written[x.Key] = writtenRaise{x.Count, x.Last}
		}
		out = append(out, x)
	}
	return out
}

// forget undoes fresh's record of raises that were not written.
func (r *Rules) forget(raises []model.SignalRaise) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range raises {
		delete(r.written, x.Key)
	}
}

// evaluate runs the label and network rules over scans (in time order within the flush).
// Its raises name the label (and batch); Observe fills in the rest.
func (r *Rules) evaluate(scans []model.ObservedScan, owners map[int64]model.LabelOwner, pending func(int64) int64) []model.SignalRaise {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]*model.SignalRaise{} // by key: one raise per key per flush
	add := func(x model.SignalRaise) {
		if cur, ok := out[x.Key]; ok {
			if x.Absolute {
				cur.Count = max(cur.Count, x.Count)
			} else {
				cur.Count += x.Count
			}
			cur.Last, cur.Detail = x.Last, x.Detail
			return
		}
		out[x.Key] = &x
	}
	on := func(rule string, label int64, at time.Time) model.SignalRaise {
		id := label
		return model.SignalRaise{Rule: rule, Key: rule + ":label:" + strconv.FormatInt(id, 10), LabelID: &id, First: at, Last: at}
	}
	var now time.Time
	type tally struct{ scans, last int64 }
	flushScans := map[int64]tally{} // label → scans in this flush, and the highest scan number told
	for i := range scans {
		s := &scans[i]
		if s.At.After(now) {
			now = s.At
		}
		if s.LabelID == nil {
			if s.Result == model.ResultNotFound && s.Network != "" {
				r.guessed(s, add)
			}
			continue
		}
		label := *s.LabelID
		t := flushScans[label]
		t.scans++
		t.last = max(t.last, s.Count)
		flushScans[label] = t
		if s.Dead {
			x := on(model.RuleDeadLabel, label, s.At)
			x.Count = 1
			x.Detail = "已作废的标签仍被查询"
			add(x)
		}
		if n := r.spreadOf(label, s); n >= r.p.SpreadNetworks {
			x := on(model.RuleSpread, label, s.At)
			x.Count, x.Absolute = int64(n), true
			x.Detail = fmt.Sprintf("%s 内被 %d 个不同网络查询", zhDuration(r.p.SpreadWindow), n)
			add(x)
		}
		if s.BatchID != 0 {
			if n := r.burstOf(s.BatchID, s); n >= r.p.BurstScans {
				x := on(model.RuleBurst, label, s.At)
				x.Key = "burst:batch:" + strconv.FormatInt(s.BatchID, 10) + ":" + s.Network
				x.Network = s.Network
				x.Count, x.Absolute = int64(n), true
				x.Detail = fmt.Sprintf("同一网络 %s 内查询该批次标签 %d 次", zhDuration(r.p.BurstWindow), n)
				add(x)
			}
		}
	}
	for id, t := range flushScans {
		total := t.last // which scan the last one was, as its consumer was told
		if total == 0 {
			total = owners[id].ScanCount
			if pending != nil {
				total += pending(id)
			}
			// A store that folds later may not count this flush's scans yet: count them at least.
			total = max(total, t.scans)
		}
		if total > r.p.OverScanned {
			x := on(model.RuleOverScanned, id, now)
			x.Count, x.Absolute = total, true
			x.Detail = fmt.Sprintf("已被查询 %d 次，超过 %d 次", total, r.p.OverScanned)
			add(x)
		}
	}
	r.sweep(now)
	raises := make([]model.SignalRaise, 0, len(out))
	for _, x := range out {
		raises = append(raises, *x)
	}
	return raises
}

var deadWords = map[model.FilingStatus]string{model.StatusSuspended: "暂停", model.StatusRevoked: "撤销", model.StatusCancelled: "注销"}

// spreadOf records s and returns how many distinct networks scanned its label within the
// window.
func (r *Rules) spreadOf(label int64, s *model.ObservedScan) int {
	at := s.At.UnixNano()
	from := at - int64(r.p.SpreadWindow)
	slots, ok := r.spread[label]
	if !ok && len(r.spread) >= maxTracked {
		return 0
	}
	id := netID(s.Network)
	kept := make([]netAt, 0, spreadSlots+1)
	found := false
	keep := func(e netAt) {
		if e.at == 0 || e.at < from {
			return
		}
		if e.net == id {
			e.at, found = max(e.at, at), true
		}
		kept = append(kept, e)
	}
	for _, e := range slots {
		keep(e)
	}
	for _, e := range r.spreadMore[label] {
		keep(e)
	}
	if !found {
		kept = append(kept, netAt{id, at})
	}
	var next [spreadSlots]netAt
	copy(next[:], kept)
	r.spread[label] = next
	if len(kept) > spreadSlots {
		r.spreadMore[label] = kept[spreadSlots:]
	} else {
		delete(r.spreadMore, label)
	}
	return len(kept)
}

// burstOf records s against its batch and network and returns the scans within the window
// (at most BurstScans are kept: enough to tell whether the rule fires).
func (r *Rules) burstOf(batch int64, s *model.ObservedScan) int {
	k := burstKey{batch, s.Network}
	times := r.burst[k]
	if times == nil && len(r.burst) >= maxTracked {
		return 0
	}
	at := s.At.UnixNano()
	times = append(times, at)
	if len(times) > r.p.BurstScans {
		times = times[len(times)-r.p.BurstScans:]
	}
	r.burst[k] = times
	from := at - int64(r.p.BurstWindow)
	n := 0
	for _, t := range times {
		if t >= from {
			n++
		}
	}
	return n
}

// guessed records an unknown code tried from s's network; at GuessCodes distinct codes in
// an hour it raises code_guessing and tightens the network's verification limit.
func (r *Rules) guessed(s *model.ObservedScan, add func(model.SignalRaise)) {
	at := s.At.UnixNano()
	from := at - int64(guessWindow)
	list := r.guess[s.Network]
	if list == nil && len(r.guess) >= maxTracked {
		return
	}
	kept := list[:0]
	found := false
	for _, e := range list {
		if e.at < from {
			continue
		}
		if e.code == s.Code {
			e.at, found = max(e.at, at), true
		}
		kept = append(kept, e)
	}
	if !found {
		kept = append(kept, codeSeen{s.Code, at})
	}
	r.guess[s.Network] = kept
	if n := len(kept); n >= r.p.GuessCodes {
		add(model.SignalRaise{Rule: model.RuleCodeGuessing, Key: "code_guessing:net:" + s.Network, Network: s.Network,
			Count: int64(n), Absolute: true, First: s.At, Last: s.At, Detail: fmt.Sprintf("同一网络一小时内尝试 %d 个未登记编码", n)})
		if s.Prefix != "" {
			if _, ok := r.tight[s.Prefix]; !ok {
				r.ntight.Add(1)
			}
			r.tight[s.Prefix] = s.At.Add(guessWindow)
		}
	}
}

// sweep forgets windows that ended, once a minute of scan time.
func (r *Rules) sweep(now time.Time) {
	if now.Sub(r.swept) < time.Minute {
		return
	}
	r.swept = now
	at := now.UnixNano()
	from := at - int64(r.p.SpreadWindow)
	for id, slots := range r.spread {
		live := slices.ContainsFunc(slots[:], func(e netAt) bool { return e.at != 0 && e.at >= from }) ||
			slices.ContainsFunc(r.spreadMore[id], func(e netAt) bool { return e.at >= from })
		if !live {
			delete(r.spread, id)
			delete(r.spreadMore, id)
		}
	}
	for k, times := range r.burst {
		if len(times) == 0 || times[len(times)-1] < at-int64(r.p.BurstWindow) {
			delete(r.burst, k)
		}
	}
	for k, list := range r.guess {
		if slices.IndexFunc(list, func(e codeSeen) bool { return e.at >= at-int64(guessWindow) }) < 0 {
			delete(r.guess, k)
		}
	}
	for k, w := range r.written {
		if now.Sub(w.at) > time.Hour {
			delete(r.written, k)
		}
	}
	for k, until := range r.tight {
		if !now.Before(until) {
			delete(r.tight, k)
			r.ntight.Add(-1)
		}
	}
}

// AnyTightened reports whether any network's limit is tightened: one atomic load, so the
// request path parses no address in the usual case.
func (r *Rules) AnyTightened() bool { return r != nil && r.ntight.Load() > 0 }

// Tightened reports whether the network prefix's verification limit is tightened at now
// (it tried too many unknown codes). It is read on the request path: with no tightened
// network (the usual case) it is one atomic load.
func (r *Rules) Tightened(prefix string, now time.Time) bool {
	if r == nil || r.ntight.Load() == 0 {
		return false
	}
	r.mu.Lock()
	until, ok := r.tight[prefix]
	r.mu.Unlock()
	return ok && now.Before(until)
}
