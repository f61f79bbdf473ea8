package console

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gimark/internal/specialmark"
	"gimark/model"
)

// SpecialMarkRoute is the artwork upload form's route: its body limit is the artwork's, and
// it reads to the limit to say so next to the file field.
const SpecialMarkRoute = "/console/special-mark"

type specialMarkData struct {
	Mark *model.SpecialMark // nil before the first upload
}

func (h *Console) loadSpecialMark(c *gin.Context) (specialMarkData, error) {
	m, err := h.SpecialMarks.Current(c.Request.Context())
	var me *model.Error
	if errors.As(err, &me) && me.Kind == model.KindNotFound {
		return specialMarkData{}, nil
	}
	return specialMarkData{Mark: m}, err
}

// SpecialMarkPage shows the special mark's artwork in use and the form to upload it (admins).
func (h *Console) SpecialMarkPage(c *gin.Context) error {
	d, err := h.loadSpecialMark(c)
	if err != nil {
		return err
	}
	v := h.newView(c, "专用标志图样", "special-mark")
	if c.Query("done") == "special_mark" {
		v.Notice = "已上传新的图样，此后打印的标签使用它。"
	}
	v.Data = d
	if d.Mark != nil {
		for _, f := range []struct {
			name string
			v    float64
		}{{"slot_x", d.Mark.SlotX}, {"slot_y", d.Mark.SlotY}, {"slot_w", d.Mark.SlotW}, {"slot_h", d.Mark.SlotH}} {
			v.Form[f.name] = strconv.FormatFloat(f.v, 'f', -1, 64)
		}
	}
	return h.render(c, http.StatusOK, "special_mark.html", v)
}

// UploadSpecialMark stores a new artwork with its code slot (specialmark.Service.Put checks
// the file and the slot). The CSRF token is the form's first part, then the slot fields,
// then the file, which is read as it arrives.
func (h *Console) UploadSpecialMark(c *gin.Context) error {
	p, _ := principalOf(c)
	v := h.newView(c, "专用标志图样", "special-mark")
	refused := func(err error) error {
		return refuse(err, "special_mark.html", v, nil, func() error {
			d, err := h.loadSpecialMark(c)
			v.Data = d
			return err
		})
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return errCSRF
	}
	tokenOK := false
	vals := map[string]float64{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return refused(errUploadTooLarge)
			}
			if !tokenOK {
				return errCSRF
			}
			return refused(model.Invalid("file", model.FieldFileMissing, "is required"))
		}
		switch name := part.FormName(); {
		case name == csrfField:
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			if tokenOK = h.sessions.checkToken(c, string(b)); !tokenOK {
				return errCSRF
			}
		case !tokenOK:
			return errCSRF // the token must come first
		case name == "slot_x" || name == "slot_y" || name == "slot_w" || name == "slot_h":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			v.Form[name] = string(b)
			n, err := strconv.ParseFloat(string(b), 64)
			if err != nil {
				return refused(model.Invalid(name, model.FieldFraction, "must be a number from 0 to 1"))
			}
			vals[name] = n
		case name == "file":
			if part.FileName() == "" {
				return refused(model.Invalid("file", model.FieldFileMissing, "is required"))
			}
			var fe model.Fields
			for _, n := range []string{"slot_x", "slot_y", "slot_w", "slot_h"} {
				if _, ok := vals[n]; !ok {
					fe.Add(n, model.FieldSlotOrder, "is required and must come before the file")
				}
			}
			if err := fe.Err(); err != nil {
				return refused(err)
			}
			_, err := h.SpecialMarks.Put(c.Request.Context(), p, part,
				specialmark.Slot{X: vals["slot_x"], Y: vals["slot_y"], W: vals["slot_w"], H: vals["slot_h"]})
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					err = errUploadTooLarge
				}
				return refused(err)
			}
			c.Redirect(http.StatusSeeOther, SpecialMarkRoute+"?done=special_mark")
			return nil
		}
		part.Close()
	}
}
