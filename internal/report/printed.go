package report

import (
	"context"

	"gimark/model"
)

// Printed counts the labels printed in a report's year from the print log: First are labels
// printed for the first time, Again those printed again (a reprint of a range already
// printed, in any format).
type Printed struct {
	First, Again int64
}

// printStore is the print log's count; kept apart from Store so the report's own storage
// interface is unchanged.
type printStore interface {
	LabelsPrinted(ctx context.Context, sc model.ReportScope) (first, again int64, err error)
}

// printed counts a scope's printed labels (zero when the store keeps no print log).
func (s *Service) printed(ctx context.Context, sc model.ReportScope) (Printed, error) {
	ps, ok := s.store.(printStore)
	if !ok {
		return Printed{}, nil
	}
	first, again, err := ps.LabelsPrinted(ctx, sc)
	return Printed{First: first, Again: again}, err
}
