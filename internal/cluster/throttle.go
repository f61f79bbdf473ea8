package cluster

import (
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Failures keeps the sign-in throttle's failure counts and locks in Redis, so five wrong
// passwords lock a username on every instance (account.Throttle keeps its own counts too and
// uses them alone while Redis is away).
type Failures struct{ r *Redis }

// Failures returns the shared store of sign-in failures.
func (r *Redis) Failures() *Failures { return &Failures{r: r} }

// failScript counts one failure of KEYS[1] in a window of ARGV[2] ms and, at ARGV[1]
// failures, sets the lock KEYS[2] for the window: one atomic step, so concurrent failures on
// several instances cannot both miss the limit.
var failScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
  redis.call('DEL', KEYS[1])
end
return n`)

// lockedScript returns the longest remaining lock (ms) among KEYS.
var lockedScript = redis.NewScript(`
local most = 0
for _, k in ipairs(KEYS) do
  local t = redis.call('PTTL', k)
  if t > most then most = t end
end
return most`)

func (f *Failures) keys(key string) (count, lock string) {
	return f.r.Prefix + "login:fails:" + key, f.r.Prefix + "login:lock:" + key
}

// Fail counts a failure of key; max failures within window lock it for window.
func (f *Failures) Fail(key string, max int, window time.Duration) error {
	if !f.r.usable() {
		f.r.fellBack("login")
		return errDown
	}
	ctx, cancel := checkCtx()
	defer cancel()
	c, l := f.keys(key)
	if err := failScript.Run(ctx, f.r.Client, []string{c, l}, max, strconv.FormatInt(window.Milliseconds(), 10)).Err(); err != nil {
		f.r.failed("login", err)
		return err
	}
	f.r.worked()
	return nil
}

// Locked returns how long the longest lock among keys still lasts (0: none).
func (f *Failures) Locked(keys ...string) (time.Duration, error) {
	if !f.r.usable() {
		f.r.fellBack("login")
		return 0, errDown
	}
	ks := make([]string, len(keys))
	for i, k := range keys {
		_, ks[i] = f.keys(k)
	}
	ctx, cancel := checkCtx()
	defer cancel()
	ms, err := lockedScript.Run(ctx, f.r.Client, ks).Int64()
	if err != nil {
		f.r.failed("login", err)
		return 0, err
	}
	f.r.worked()
	return time.Duration(ms) * time.Millisecond, nil
}

// Clear forgets key's failures and lock, as the instance's own throttle does.
func (f *Failures) Clear(key string) error {
	if !f.r.usable() {
		return errDown
	}
	ctx, cancel := checkCtx()
	defer cancel()
	c, l := f.keys(key)
	if err := f.r.Client.Del(ctx, c, l).Err(); err != nil {
		f.r.failed("login", err)
		return err
	}
	f.r.worked()
	return nil
}

type downError struct{}

func (downError) Error() string { return "redis is not tried for a second after a failure" }

var errDown error = downError{}
