package console

import (
	"errors"
	"regexp"

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

var signalNames = map[string]string{"over_scanned": "扫描次数过多（疑似复制）", "unknown_code": "未登记编码反复查询"}

var codeMessages = map[string]string{
	"invalid_credentials": "用户名或密码错误。",
	"login_locked":        "登录失败次数过多，已暂时锁定，请稍后再试。",
	"rate_limited":        "请求过于频繁，请稍后再试。",
	"filing_not_approved": "只有已核准的申请才能订购标签。",
	"file_too_large":      "文件超过上传大小限制。",
	"body_too_large":      "文件超过上传大小限制。",
	"unsupported_type":    "只接受 PDF、JPEG 或 PNG 文件。",
	"validation_failed":   "请按提示修改后再提交。",
	"invalid_transition":  "当前状态不允许此操作。",
	"quota_exceeded":      "超出本年度标签配额。",
	"csrf":                "请求被拒绝：表单已过期或来自其他网站。",
	"unauthenticated":     "请先登录。",
	"forbidden":           "您的角色无权进行此操作。",
	"not_found":           "找不到该页面或对象。",
	"conflict":            "与现有数据冲突。",
	"too_large":           "文件超过上传大小限制。",
	"live_filing_exists":  "该产品已有一份进行中的申请。",
	"already_voided":      "已经作废。",
	"duplicate":           "与现有记录重复。",
}

var kindMessages = map[model.Kind]string{
	model.KindMalformed: "请求无法识别。", model.KindUnauthenticated: "请先登录。", model.KindForbidden: "您无权进行此操作。",
	model.KindNotFound: "找不到该页面或对象。", model.KindConflict: "与当前状态或现有数据冲突。",
	model.KindTooLarge: "文件超过上传大小限制。", model.KindUnsupported: "只接受 PDF、JPEG 或 PNG 文件。",
	model.KindInvalid: "请按提示修改后再提交。", model.KindRateLimited: "请求过于频繁，请稍后再试。",
	model.KindUnavailable: "服务暂时不可用，请稍后再试。",
}

func asModel(err error, me **model.Error) bool { return errors.As(err, me) }

// errorMessage is the Chinese sentence for a refusal. The service's own English detail is
// kept after it, because it often says which state or number the refusal is about.
func errorMessage(err error) string {
	var me *model.Error
	if !asModel(err, &me) {
		return "内部错误，请稍后再试。"
	}
	msg, ok := codeMessages[me.Code]
	if !ok {
		msg = kindMessages[me.Kind]
	}
	if me.Code == "invalid_transition" {
		if m := transitionRe.FindStringSubmatch(me.Msg); m != nil {
			act, st := actionNames[model.Action(m[1])], statusNames[model.FilingStatus(m[2])]
			if act != "" && st != "" {
				return "当前状态为「" + st + "」，不能「" + act + "」。"
			}
		}
	}
	if me.Msg != "" && me.Kind != model.KindInvalid {
		return msg + "（" + me.Msg + "）"
	}
	return msg
}

var transitionRe = regexp.MustCompile(`^cannot (\w+) a filing that is (\w+)$`)

var fieldPatterns = []struct {
	re  *regexp.Regexp
	out string
}{
	{regexp.MustCompile(`^is required to \w+ a filing; the enterprise will see it$`), "请填写理由，企业会看到这段话。"},
	{regexp.MustCompile(`^is required`), "必填。"},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), "最多 $1 个字符。"},
	{regexp.MustCompile(`^must be valid text without control characters$`), "含有不允许的字符。"},
	{regexp.MustCompile(`^must be a decimal number of kg`), "请填写千克数，最多三位小数，如 1250.500。"},
	{regexp.MustCompile(`^must be above 0 and at most`), "须大于 0，且不超过 100 亿千克。"},
	{regexp.MustCompile(`^no such product in the catalog$`), "目录中没有这个产品。"},
	{regexp.MustCompile(`^this product is retired from the catalog$`), "该产品已停用。"},
	{regexp.MustCompile(`^must be new or switch$`), "请选择新申请或换标。"},
	{regexp.MustCompile(`^must be a six-digit administrative division code$`), "须为六位行政区划代码。"},
	{regexp.MustCompile(`^must be from 1 to (\d+) labels a year$`), "须为 1 到 $1 之间的整数（每年）。"},
	{regexp.MustCompile(`^must be from (\d+) to (\d+)$`), "须为 $1 到 $2 之间的整数。"},
	{regexp.MustCompile(`^must be protected_product, certification_mark or collective_mark$`), "请选择保护类型。"},
	{regexp.MustCompile(`^must be business_license, origin_proof, inspection_report or other$`), "请选择材料类型。"},
	{regexp.MustCompile(`^is empty$`), "文件是空的。"},
	{regexp.MustCompile(`^the enterprise holds no approved filing for this product$`), "本企业没有该产品的已核准申请。"},
	{regexp.MustCompile(`^must be a month as YYYY-MM`), "请填写月份，格式 YYYY-MM，如 2026-03。"},
	{regexp.MustCompile(`^is in the future$`), "不能填报未来的月份。"},
	{regexp.MustCompile(`^is required for online sales`), "网络销售须选择平台。"},
	{regexp.MustCompile(`^is required for exports`), "出口须填写目的国两位代码，如 US、JP。"},
	{regexp.MustCompile(`^must be a non-negative amount of yuan`), "请填写金额（元），最多两位小数。"},
	{regexp.MustCompile(`^must be a non-negative quantity of kg`), "请填写数量（千克），最多三位小数。"},
	{regexp.MustCompile(`^must be online, export or offline$`), "请选择渠道。"},
	{regexp.MustCompile(`^repeats the key of records\[(\d+)\]`), "与前面的第 $1 条记录重复。"},
	{regexp.MustCompile(`^is set only on approval$`), "只有核准时才能设置配额。"},
	{regexp.MustCompile(`^must be a positive integer`), "须为正整数。"},
	{regexp.MustCompile(`^must be an integer`), "须为整数。"},
}

// fieldMessage translates a field problem; an unknown one is shown as the service said it.
func fieldMessage(m string) string {
	for _, p := range fieldPatterns {
		if p.re.MatchString(m) {
			return p.re.ReplaceAllString(p.re.FindString(m), p.out)
		}
	}
	return m
}

var channelNames = map[string]string{model.ChannelOnline: "网络销售", model.ChannelExport: "出口", model.ChannelOffline: "线下销售"}
