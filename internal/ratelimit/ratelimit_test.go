package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

func TestKeyedLimitsPerKeyAndRecovers(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := PerMinute(3, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := k.Allow("a"); !ok {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	ok, retry := k.Allow("a")
	if ok || retry <= 0 || retry > 20*time.Second {
		t.Fatalf("4th request: ok=%v retry=%v, want refused with a retry of about 20s", ok, retry)
	}
	if ok, _ := k.Allow("b"); !ok {
		t.Fatal("another key must not be limited by the first")
	}
	now = now.Add(retry)
	if ok, _ := k.Allow("a"); !ok {
		t.Fatal("key did not recover after Retry-After")
	}
}

func TestKeyedForgetsIdleKeys(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := PerMinute(60, func() time.Time { return now })
	for i := 0; i < 1000; i++ {
		k.Allow(fmt.Sprint(i))
	}
	now = now.Add(5 * time.Minute)
	k.Allow("late")
	if n := k.Len(); n != 1 {
		t.Fatalf("idle keys kept: %d", n)
	}
}
