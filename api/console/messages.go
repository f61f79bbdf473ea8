package console

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"gimark/model"
)

// The console speaks Chinese; the services speak English to API clients. These tables only
// translate: the decisions are the services'.

var statusNames = map[model.FilingStatus]string{
	model.StatusDraft: "草稿", model.StatusSubmitted: "待审核", model.StatusReturned: "退回补正",
	model.StatusApproved: "已核准", model.StatusRejected: "不予核准", model.StatusSuspended: "暂停使用",
	model.StatusRevoked: "已撤销", model.StatusCancelled: "已注销", model.StatusWithdrawn: "已撤回",
}

var actionNames = map[model.Action]string{
	model.ActSubmit: "提交审核", model.ActWithdraw: "撤回申请", model.ActApprove: "核准",
	model.ActReject: "不予核准", model.ActReturn: "退回补正", model.ActSuspend: "暂停使用",
	model.ActReinstate: "恢复使用", model.ActRevoke: "撤销核准", model.ActCancel: "注销（停止使用）",
}

// actionOrder is the order the buttons appear in.
var actionOrder = []model.Action{model.ActSubmit, model.ActApprove, model.ActReturn, model.ActReject,
	model.ActSuspend, model.ActReinstate, model.ActRevoke, model.ActWithdraw, model.ActCancel}

var eventNames = map[string]string{
	"create": "创建", "update": "修改", "document_add": "上传材料",
}

var filingKindNames = map[model.FilingKind]string{model.FilingNew: "新申请", model.FilingSwitch: "换标"}

var docKindNames = map[model.DocumentKind]string{
	model.DocBusinessLicense: "营业执照", model.DocOriginProof: "产地证明",
	model.DocQualityReport: "质量检验报告", model.DocOther: "其他材料",
}

var docKinds = []model.DocumentKind{model.DocBusinessLicense, model.DocOriginProof, model.DocQualityReport, model.DocOther}

var productKindNames = map[model.ProductKind]string{
	model.ProtectedProduct: "地理标志保护产品", model.CertificationMark: "地理标志证明商标", model.CollectiveMark: "地理标志集体商标",
}

var productKinds = []model.ProductKind{model.ProtectedProduct, model.CertificationMark, model.CollectiveMark}

var roleNames = map[model.Role]string{model.RoleAdmin: "管理员", model.RoleReviewer: "审核人员", model.RoleEnterprise: "企业"}

// ruleNames are the signal rules (model.SignalRules) in Chinese.
var ruleNames = map[string]string{
	model.RuleOverScanned: "扫描次数过多（疑似复制）", model.RuleSpread: "多地扫描同一标签", model.RuleBurst: "同一网络集中扫描批次",
	model.RuleCodeGuessing: "猜测编码", model.RuleDeadLabel: "失效标签仍被查询", model.RuleUnknownCode: "未登记编码反复查询",
	model.RuleConsumerReport: "消费者举报",
}

// messages is the console's one table of words for machine codes: the codes of errors
// (model.Error.Code, or its Kind when it has none) and of field errors (model.FieldError.Code).
// {0}, {1}… stand for the error's Args (a state or an action is named in Chinese). A text that
// needs Args the error does not carry gives way to the words for the error's kind.
// TestEveryCodeHasChineseWords reads the source for every code: add one line here per code.
var messages = map[model.Code]string{
	// Kinds: the words when a code has none of its own.
	"malformed": "请求无法识别。", "unauthenticated": "请先登录。", "forbidden": "您无权进行此操作。",
	"not_found": "找不到该页面或对象。", "conflict": "与当前状态或现有数据冲突。",
	"too_large": "文件超过上传大小限制。", "unsupported_type": "只接受 PDF、JPEG 或 PNG 文件。",
	"invalid": "请按提示修改后再提交。", "rate_limited": "请求过于频繁，请 {1} 秒后再试。",
	"unavailable": "服务暂时不可用，请稍后再试。", "internal": "内部错误，请稍后再试。",

	// Error codes.
	"invalid_credentials":      "用户名或密码错误。",
	"login_locked":             "登录失败次数过多，请 {0} 分钟后再试。",
	"missing_token":            "请先登录。",
	"invalid_token":            "登录已失效，请重新登录。",
	"token_expired":            "登录已过期，请重新登录。",
	"token_reused":             "登录已失效，请重新登录。",
	"csrf":                     "请求被拒绝：表单已过期或来自其他网站。请返回刷新页面后重试。",
	"route_not_found":          "找不到该页面或对象。",
	"method_not_allowed":       "请求无法识别。",
	"malformed_body":           "请求无法识别。",
	"body_too_large":           "文件超过上传大小限制。",
	"file_too_large":           "文件超过上传大小限制。",
	"validation_failed":        "请按提示修改后再提交。",
	"invalid_transition":       "当前状态为「{1}」，不能「{0}」。",
	"filing_not_approved":      "只有已核准的申请才能订购标签，这份申请当前为「{0}」。",
	"quota_exceeded":           "超出本年度标签配额：配额 {0} 枚，今年已发放 {1} 枚。",
	"live_filing_exists":       "该产品已有一份进行中的申请。",
	"already_voided":           "已经作废。",
	"duplicate":                "与现有记录重复。",
	"not_ready":                "服务暂时不可用，请稍后再试。",
	"database_unavailable":     "服务暂时不可用，请稍后再试。",
	"documents_missing":        "提交前须上传所需材料：",
	"own_password":             "请在“修改密码”中修改自己的密码。",
	"password_change_required": "请先修改一次性密码。",
	"invalid_digital_link":     "GS1 数字链接格式不正确。",
	"link_type_not_found":      "没有这种链接类型。",
	"unknown_gtin":             "没有登记这个 GTIN。",
	"too_many_labels":          "一个文件最多 {0} 枚标签，请缩小序号范围。",
	"svg_refused":              "SVG 图样含有脚本、外部引用或其他不允许的内容，请上传不含这些内容的 SVG 或 PNG。",
	"invalid_svg":              "SVG 文件无法读取或绘制（须有 svg 根元素和 viewBox）。",
	"image_too_large":          "PNG 图片的像素尺寸过大。",
	"invalid_image":            "PNG 图片无法读取或无法打印（请用 8 位、非隔行的 PNG）。",

	// Field codes (model/codes.go).
	model.FieldRequired:         "必填。",
	model.FieldTooLong:          "最多 {0} 个字符。",
	model.FieldBadText:          "含有不允许的字符。",
	model.FieldRegionCode:       "须为六位行政区划代码。",
	model.FieldPhone:            "须为电话号码（数字、+、- 和空格）。",
	model.FieldPhoneDigits:      "须有 5 到 20 位数字。",
	model.FieldRange:            "须为 {0} 到 {1} 之间的整数。",
	model.FieldPositiveInteger:  "须为正整数。",
	model.FieldNumber:           "须为数字。",
	model.FieldInteger:          "须为整数。",
	model.FieldWrongType:        "格式不对。",
	model.FieldUnknown:          "含有不认识的项目。",
	model.FieldBoolean:          "须为是或否。",
	model.FieldYear:             "请填写年份，如 2021。",
	model.FieldYearRange:        "须为 2000 到 {0} 之间的年份。",
	model.FieldMonth:            "请填写月份，格式 YYYY-MM，如 2026-03。",
	model.FieldFutureMonth:      "不能填报未来的月份。",
	model.FieldEmptyFile:        "文件是空的。",
	model.FieldFileMissing:      "必填。",
	model.FieldSalesCSV:         "不是销售数据 CSV 文件。",
	model.FieldFileOrder:        "请先选择材料类型，再选择文件。",
	model.FieldUsernameLength:   "须为 3 到 64 个字符。",
	model.FieldUsernameChars:    "只能包含字母、数字和 . _ - @。",
	model.FieldUsernameTaken:    "该用户名已被使用。",
	model.FieldPasswordShort:    "至少 {0} 个字符。",
	model.FieldPasswordLong:     "最多 {0} 个字节。",
	model.FieldUSCC:             "不是有效的统一社会信用代码。",
	model.FieldUSCCTaken:        "该统一社会信用代码已登记。",
	model.FieldFixed:            "不能在此修改，请联系主管部门。",
	model.FieldTaken:            "已被使用。",
	model.FieldLiveFiling:       "该产品已有一份进行中的申请。",
	model.FieldWrongPassword:    "当前密码不正确。",
	model.FieldSamePassword:     "新密码不能与当前密码相同。",
	model.FieldRole:             "须为审核人员或管理员。",
	model.FieldUnknownUser:      "没有这个用户名的账号。",
	model.FieldProductKind:      "请选择保护类型。",
	model.FieldUnknownProduct:   "目录中没有这个产品。",
	model.FieldRetiredProduct:   "该产品已停用。",
	model.FieldFilingKind:       "请选择新申请或换标。",
	model.FieldFilingStatus:     "不是有效的申请状态。",
	model.FieldOutput:           "请填写千克数，最多三位小数，如 1250.500。",
	model.FieldOutputRange:      "须大于 0，且不超过 100 亿千克。",
	model.FieldReasonRequired:   "请填写理由，企业会看到这段话。",
	model.FieldQuotaOnApprove:   "只有核准时才能设置配额。",
	model.FieldQuotaRange:       "须为 1 到 {0} 之间的整数（每年）。",
	model.FieldDocumentMissing:  "缺少{0}。",
	model.FieldDocumentKind:     "请选择材料类型。",
	model.FieldDateTime:         "请填写日期时间，如 2026-01-01T00:00:00+08:00。",
	model.FieldDate:             "请填写日期，如 2026-03-01。",
	model.FieldNotAfterFrom:     "须晚于开始时间。",
	model.FieldGTIN:             "不是有效的 GTIN（商品条码）。",
	model.FieldUnknownGTIN:      "本申请下没有登记这个 GTIN。",
	model.FieldLot:              "须为 1 到 20 个字符：字母、数字或 GS1 允许的符号。",
	model.FieldLotNeedsGTIN:     "填写批号时须同时填写 GTIN。",
	model.FieldLabelSize:        "须为 {0} 到 {1} 像素。",
	model.FieldMillimetres:      "须为 {0} 到 {1} 毫米。",
	model.FieldSignalKind:       "请选择信号类型。",
	model.FieldSearchText:       "最多 100 个字符，且不含控制字符。",
	model.FieldSignalState:      "请选择信号状态。",
	model.FieldSignalTo:         "只能改为「已受理」或「已处理」。",
	model.FieldResolution:       "处理结论须为「确认假冒」或「误报」，且只在处理时填写。",
	model.FieldWebhookURL:       "请填写公网可达的 http(s) 地址。",
	model.FieldWebhookSecret:    "密钥须为 16 至 255 个字符。",
	model.FieldPhoto:            "照片须为可读取的 JPEG 或 PNG 图片，且不超过 4000 万像素。",
	model.FieldPeriod:           "时间范围最长 366 天。",
	"report_token_invalid":      "表单已过期或不是从标签查询页提交的。",
	"report_token_used":         "该表单已提交过。",
	"photo_too_large":           "照片不能超过 5 MB。",
	"photo_type":                "照片只能是 JPEG 或 PNG 格式。",
	"photo_unreadable":          "无法读取照片。",
	"label_not_found":           "编码有误。",
	"malformed_form":            "表单无法识别。",
	"unsupported_media_type":    "请以表单方式提交。",
	model.FieldRecordsEmpty:     "至少填写一条记录。",
	model.FieldRecordsTooMany:   "最多 {0} 条记录。",
	model.FieldNoApprovedFiling: "本企业没有该产品的已核准申请。",
	model.FieldPlatformRequired: "网络销售须选择平台。",
	model.FieldCountryRequired:  "出口须填写目的国两位代码，如 US、JP。",
	model.FieldExportOnly:       "只有出口才填写目的国。",
	model.FieldOnlineOnly:       "只有网络销售才选择平台。",
	model.FieldOfflinePlain:     "线下销售不填平台和目的国。",
	model.FieldChannel:          "请选择渠道。",
	model.FieldAmount:           "请填写金额（元），最多两位小数。",
	model.FieldAmountTooLarge:   "金额超出合理范围（最多 1000 亿元）。",
	model.FieldQuantity:         "请填写数量（千克），最多三位小数。",
	model.FieldQuantityTooLarge: "数量超出合理范围（最多 10 亿千克）。",
	model.FieldDuplicateRecord:  "与前面的第 {0} 条记录重复。",
	model.FieldSerial:           "须为 {0} 到 {1} 之间的序号。",
	model.FieldTooManyLabels:    "一个文件最多 {0} 枚标签。",
	model.FieldTemplate:         "请选择标签模板。",
	model.FieldTemplateTooSmall: "该模板放不下二维码，请选择更大的模板。",
	model.FieldFraction:         "须为 0 到 1 之间的小数。",
	model.FieldSlotEmpty:        "编码位置须有宽度和高度。",
	model.FieldSlotOutside:      "编码位置须在图样之内（x + 宽 ≤ 1，y + 高 ≤ 1）。",
	model.FieldSlotOrder:        "请先填写编码位置，再选择文件。",
}

// placeholder finds {0}, {1}… in a text of messages.
var placeholder = regexp.MustCompile(`\{(\d)\}`)

// words fills text with args; ok is false when text needs an arg that is missing. States and
// actions are named in Chinese.
func words(text string, args []any) (string, bool) {
	ok := true
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		i := int(m[1] - '0')
		if i >= len(args) {
			ok = false
			return m
		}
		switch a := args[i].(type) {
		case model.Action:
			return actionNames[a]
		case model.FilingStatus:
			return statusNames[a]
		case model.DocumentKind:
			return docKindNames[a]
		default:
			return fmt.Sprint(a)
		}
	})
	return out, ok
}

func asModel(err error, me **model.Error) bool { return errors.As(err, me) }

// errorMessage is the Chinese sentence for a refusal: the words for its code, filled with
// its Args (the state, the numbers), else the words for its kind. The service's English
// message is for API users and never shown here.
func errorMessage(err error) string {
	var me *model.Error
	if !asModel(err, &me) {
		return messages["internal"]
	}
	args := me.Args
	if me.Kind == model.KindRateLimited {
		wait := max(me.RetryAfter, time.Second)
		args = []any{int(math.Ceil(wait.Minutes())), int(math.Ceil(wait.Seconds()))}
	}
	out, ok := "", false
	if text, found := messages[model.Code(me.MachineCode())]; found {
		out, ok = words(text, args)
	}
	if !ok {
		out, _ = words(messages[model.Code(me.Kind)], args)
	}
	if me.Kind != model.KindInvalid {
		// A refusal of the whole request that still names fields (documents missing): the
		// words for each, after the refusal's own.
		for _, f := range me.Fields {
			out += fieldMessage(f)
		}
	}
	return out
}

// fieldMessage is the Chinese words for one field problem; a code without words (which
// the test forbids) shows the service's English.
func fieldMessage(f model.FieldError) string {
	if text, ok := messages[f.Code]; ok {
		if out, ok := words(text, f.Args); ok {
			return out
		}
	}
	return f.Message
}

var channelNames = map[string]string{model.ChannelOnline: "网络销售", model.ChannelExport: "出口", model.ChannelOffline: "线下销售"}
