package model

import "context"

type principalKey struct{}

// WithPrincipal returns ctx carrying the signed-in caller. Both HTTP edges (the API's bearer
// tokens, the console's cookies) put the principal here, so the role check and the
// services read it the same way.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the signed-in caller stored by WithPrincipal.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
