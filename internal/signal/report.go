package signal

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gimark/internal/filestore"
	"gimark/internal/labelcode"
	"gimark/internal/ratelimit"
	"gimark/model"
)

// ReportStore is the storage consumer reports need.
type ReportStore interface {
	LabelOwnerByCode(ctx context.Context, code string) (*model.LabelOwner, error)
	CreateConsumerReport(ctx context.Context, rep *model.ConsumerReport, raise model.SignalRaise) (*model.SignalCase, error)
}

// MaxPhoto is the largest photo a consumer may attach.
const MaxPhoto = 5 << 20

// maxPixels bounds a photo's decoded size (a small file can claim a huge picture).
const maxPixels = 40_000_000

// Reports takes consumers' reports of suspected fakes (举报) from the /v/ page. The form
// carries a token bound to the page's code and time (Token), spent by its first report;
// reports are rate-limited per client network; a photo is decoded and re-encoded, which
// drops every metadata block (EXIF GPS, comments), then stored like documents.
type Reports struct {
	store ReportStore
	files *filestore.Store
	key   []byte
	nets  *Networker
	limit *ratelimit.Keyed
	now   func() time.Time
	// TokenTTL is how long a page's form may be sent.
	TokenTTL time.Duration
}

// NewReports wires Reports: key signs the form tokens, perHour reports are allowed per client
// network an hour.
func NewReports(st ReportStore, files *filestore.Store, key []byte, nets *Networker, perHour int, now func() time.Time) *Reports {
	if now == nil {
		now = time.Now
	}
	return &Reports{store: st, files: files, key: key, nets: nets, now: now, TokenTTL: 2 * time.Hour,
		limit: ratelimit.Per(perHour, time.Hour, now)}
}

// Token returns the form token of code's page: its issue time (Unix seconds, and a random
// part so two pages served in one second differ) and an HMAC of the code and both.
func (r *Reports) Token(code string) (issued, token string) {
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	issued = strconv.FormatInt(r.now().Unix(), 10) + "." + hex.EncodeToString(nonce)
	return issued, r.sign(code, issued)
}

func (r *Reports) sign(code, issued string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte("consumer report\x00" + code + "\x00" + issued))
	return hex.EncodeToString(m.Sum(nil))[:40]
}

// ReportInput is one posted form.
type ReportInput struct {
	Code, Issued, Token        string
	WhereBought, City, Problem string
	Phone                      string
	Photo                      io.Reader // nil: no photo
	Client                     string    // the caller's address; only its network's hash is kept
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 \-]{4,19}$`)

// Submit checks and stores a report and raises (or updates) its signal.
func (r *Reports) Submit(ctx context.Context, in ReportInput) (*model.SignalCase, error) {
	network := r.nets.Of(in.Client)
	if ok, retry := r.limit.Allow(network); !ok {
		return nil, &model.Error{Kind: model.KindRateLimited, Code: "rate_limited", Msg: "too many reports from your network; try again later", RetryAfter: retry}
	}
	code, err := labelcode.Parse(in.Code)
	if err != nil {
		return nil, model.CodeError(model.KindNotFound, "label_not_found", "not a label code")
	}
	if err := r.checkToken(code, in.Issued, in.Token); err != nil {
		return nil, err
	}
	var f model.Fields
	rep := &model.ConsumerReport{Code: code, Network: network}
	rep.WhereBought = model.RequireText(&f, "where_bought", in.WhereBought, 100)
	rep.City = model.OptionalText(&f, "city", in.City, 50)
	rep.Problem = requireMultiline(&f, "problem", in.Problem, 1000)
	if phone, ok := model.CleanText(in.Phone); !ok || phone != "" && !phoneRE.MatchString(phone) {
		f.Add("phone", model.FieldPhone, "must be a phone number (digits, spaces, + and -)")
	} else {
		rep.Phone = phone
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(in.Token))
	rep.TokenHash = hex.EncodeToString(sum[:])
	var stored *filestore.Stored
	if in.Photo != nil {
		clean, err := cleanPhoto(in.Photo)
		if err != nil {
			return nil, err
		}
		if stored, err = r.files.Put(bytes.NewReader(clean), MaxPhoto*2); err != nil {
			return nil, err
		}
		rep.PhotoSHA256, rep.PhotoType = stored.SHA256, stored.ContentType
	}
	now := r.now().UTC()
	raise := model.SignalRaise{Rule: model.RuleConsumerReport, Code: code, Count: 1, First: now, Last: now,
		Key: model.RuleConsumerReport + ":code:" + code, Detail: "消费者举报"}
	owner, err := r.store.LabelOwnerByCode(ctx, code)
	switch {
	case err == nil:
		rep.LabelID = &owner.LabelID
		raise.Key = model.RuleConsumerReport + ":label:" + strconv.FormatInt(owner.LabelID, 10)
		raise.LabelID, raise.BatchID, raise.FilingID = &owner.LabelID, &owner.BatchID, &owner.FilingID
		raise.EnterpriseID, raise.ProductID = &owner.EnterpriseID, &owner.ProductID
	case !model.IsKind(err, model.KindNotFound):
		r.files.Discard(stored, false)
		return nil, err
	}
	sig, err := r.store.CreateConsumerReport(ctx, rep, raise)
	if err != nil {
		// Nothing was written: a photo file this report created goes too (one that another
		// report already holds was not created here and stays).
		r.files.Discard(stored, false)
		if model.IsKind(err, model.KindConflict) {
			return nil, &model.Error{Kind: model.KindConflict, Code: "report_token_used",
				Msg: "this form was already sent; open the label's page again to send another report", Err: err}
		}
		return nil, err
	}
	return sig, nil
}

func (r *Reports) checkToken(code, issued, token string) error {
	bad := &model.Error{Kind: model.KindForbidden, Code: "report_token_invalid", Msg: "the form has expired or did not come from this label's page; open the page again"}
	at, _, _ := strings.Cut(issued, ".")
	secs, err := strconv.ParseInt(at, 10, 64)
	if err != nil || len(token) != 40 || !hmac.Equal([]byte(token), []byte(r.sign(code, issued))) {
		return bad
	}
	age := r.now().Sub(time.Unix(secs, 0))
	if age < -time.Minute || age > r.TokenTTL {
		return bad
	}
	return nil
}

// requireMultiline is model.RequireText for a text that may hold line breaks.
func requireMultiline(f *model.Fields, field, s string, max int) string {
	lines := bytes.Split([]byte(s), []byte("\n"))
	var sub model.Fields
	for i := range lines {
		l := bytes.TrimSuffix(lines[i], []byte("\r"))
		t, ok := model.CleanText(string(l))
		if !ok {
			sub.Add(field, model.FieldBadText, "must be valid text without control characters")
			break
		}
		lines[i] = []byte(t)
	}
	out := string(bytes.TrimSpace(bytes.Join(lines, []byte("\n"))))
	if len(sub) > 0 {
		*f = append(*f, sub...)
		return out
	}
	if out == "" {
		f.Add(field, model.FieldRequired, "is required")
	} else if n := len([]rune(out)); n > max {
		f.Add(field, model.FieldTooLong, "must be at most %d characters", max)
	}
	return out
}

// cleanPhoto reads at most MaxPhoto bytes, accepts JPEG or PNG by content (never by name or
// claimed type), refuses pictures too large to decode safely, and re-encodes the pixels: the
// output carries no metadata from the input.
func cleanPhoto(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPhoto+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, model.CodeError(model.KindTooLarge, "photo_too_large", "the photo must be at most 5 MB")
		}
		return nil, err
	}
	if len(data) > MaxPhoto {
		return nil, model.CodeError(model.KindTooLarge, "photo_too_large", "the photo must be at most 5 MB")
	}
	if len(data) == 0 {
		return nil, nil
	}
	ct := http.DetectContentType(data)
	if ct != "image/jpeg" && ct != "image/png" {
		return nil, model.CodeError(model.KindUnsupported, "photo_type", "the photo must be a JPEG or PNG image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, &model.Error{Kind: model.KindInvalid, Code: "photo_unreadable", Msg: "the photo cannot be read",
			Fields: []model.FieldError{{Field: "photo", Code: model.FieldPhoto, Message: "is not a readable JPEG or PNG image"}}}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, &model.Error{Kind: model.KindInvalid, Code: "photo_unreadable", Msg: "the photo is too large a picture",
			Fields: []model.FieldError{{Field: "photo", Code: model.FieldPhoto, Message: "must be at most 40 megapixels"}}}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &model.Error{Kind: model.KindInvalid, Code: "photo_unreadable", Msg: "the photo cannot be read",
			Fields: []model.FieldError{{Field: "photo", Code: model.FieldPhoto, Message: "is not a readable JPEG or PNG image"}}}
	}
	var out bytes.Buffer
	if ct == "image/png" {
		err = png.Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 85})
	}
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// OpenPhoto opens a stored report photo by its hash; callers check the signal is visible.
func (r *Reports) OpenPhoto(sum string) (io.ReadSeekCloser, error) {
	f, err := r.files.Open(sum)
	if err != nil {
		return nil, model.NotFound("photo")
	}
	return f, nil
}
