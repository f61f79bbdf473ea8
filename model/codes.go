package model

// Code is a machine code: the `code` of a problem document (Error.Code) or of one of its
// field errors (FieldError.Code). Codes are stable, so an edge that speaks another language
// (the Chinese console) words each code itself instead of parsing English messages.
//
// Error codes are written where the error is made (CodeError, Error{Code: …}); field codes
// are the constants below. api/console keeps the one table of Chinese words, and its test
// reads this tree's source for every code, so a code without Chinese words fails the build.
type Code string

// Field codes: what is wrong with one field. One line per code; add the console's words in
// api/console/messages.go (its test says so if you forget).
const (
	FieldRequired        Code = "required"         // empty
	FieldTooLong         Code = "too_long"         // Args: max characters
	FieldBadText         Code = "bad_text"         // control characters or invalid UTF-8
	FieldRegionCode      Code = "region_code"      // not a six-digit division code
	FieldPhone           Code = "phone"            // characters other than digits, +, -, space
	FieldPhoneDigits     Code = "phone_digits"     // not 5 to 20 digits
	FieldRange           Code = "range"            // Args: min, max (integers)
	FieldPositiveInteger Code = "positive_integer" // not a whole number above 0
	FieldNumber          Code = "number"           // not a number
	FieldInteger         Code = "integer"          // not a whole number
	FieldWrongType       Code = "wrong_type"       // JSON of another type; Args: the wanted type
	FieldUnknown         Code = "unknown_field"    // a JSON member the request does not have
	FieldBoolean         Code = "boolean"          // not true or false
	FieldYear            Code = "year"             // not a year such as 2021
	FieldYearRange       Code = "year_range"       // Args: the latest year allowed
	FieldMonth           Code = "month"            // not YYYY-MM
	FieldFutureMonth     Code = "future_month"     // a month that has not begun
	FieldEmptyFile       Code = "empty_file"       // an upload of 0 bytes
	FieldFileMissing     Code = "file_missing"     // a multipart upload without its file
	FieldSalesCSV        Code = "sales_csv"        // an upload that is not a sales CSV
	FieldFileOrder       Code = "file_order"       // multipart parts in the wrong order

	FieldUsernameLength Code = "username_length" // not 3 to 64 characters
	FieldUsernameChars  Code = "username_chars"  // other than letters, digits, . _ - @
	FieldUsernameTaken  Code = "username_taken"  // another account has it
	FieldPasswordShort  Code = "password_short"  // Args: minimum characters
	FieldPasswordLong   Code = "password_long"   // Args: maximum bytes
	FieldUSCC           Code = "uscc"            // fails the GB 32100 rules
	FieldUSCCTaken      Code = "uscc_taken"      // another enterprise has it
	FieldFixed          Code = "fixed"           // may not be changed here
	FieldTaken          Code = "taken"           // another record has this value
	FieldLiveFiling     Code = "live_filing"     // the enterprise has a live filing for the product
	FieldWrongPassword  Code = "wrong_password"  // the current password given is not the account's
	FieldSamePassword   Code = "same_password"   // the new password is the current one
	FieldRole           Code = "role"            // not a role an admin may create
	FieldUnknownUser    Code = "unknown_user"    // no account has this username

	FieldProductKind     Code = "product_kind"     // not a GI protection type
	FieldUnknownProduct  Code = "unknown_product"  // no such product in the catalog
	FieldRetiredProduct  Code = "retired_product"  // the product is retired
	FieldFilingKind      Code = "filing_kind"      // not new or switch
	FieldFilingStatus    Code = "filing_status"    // not a filing status
	FieldOutput          Code = "output_kg"        // not a kg figure with at most 3 decimals
	FieldOutputRange     Code = "output_range"     // not above 0 and at most 10^10 kg
	FieldReasonRequired  Code = "reason_required"  // a decision without a reason
	FieldQuotaOnApprove  Code = "quota_on_approve" // a quota outside approval
	FieldQuotaRange      Code = "quota_range"      // Args: the largest yearly quota
	FieldDocumentMissing Code = "document_missing" // Args: the model.DocumentKind a submission lacks
	FieldDocumentKind    Code = "document_kind"    // not a document kind

	FieldDateTime     Code = "date_time"         // not an RFC 3339 date-time
	FieldDate         Code = "date"              // not a date (2006-01-02), in the console's date fields
	FieldNotAfterFrom Code = "not_after_from"    // an end of a range that is not after its start
	FieldGTIN         Code = "gtin"              // not a valid GTIN (length, digits, check digit)
	FieldUnknownGTIN  Code = "gtin_not_recorded" // a GTIN not recorded under the filing
	FieldLot          Code = "lot"               // not 1 to 20 characters of GS1 character set 82
	FieldLotNeedsGTIN Code = "lot_needs_gtin"    // a lot without a GTIN
	FieldLabelSize    Code = "label_size"        // Args: min, max pixels
	FieldMillimetres  Code = "mm_range"          // Args: min, max millimetres
	FieldSignalKind   Code = "signal_kind"       // not over_scanned or unknown_code
	FieldSearchText   Code = "search_text"       // a search term that is not short plain text

	FieldSignalState   Code = "signal_state"   // not open, acknowledged or resolved
	FieldSignalTo      Code = "signal_to"      // not acknowledged or resolved (or empty for a note)
	FieldResolution    Code = "resolution"     // not confirmed_counterfeit or false_alarm, or given when not resolving
	FieldWebhookURL    Code = "webhook_url"    // not a public http(s) URL
	FieldWebhookSecret Code = "webhook_secret" // not 16 to 255 characters
	FieldPhoto         Code = "photo"          // not a readable JPEG or PNG picture of at most 40 megapixels
	FieldPeriod        Code = "period"         // more than 366 days

	FieldRecordsEmpty     Code = "records_empty"      // no sales records
	FieldRecordsTooMany   Code = "records_too_many"   // Args: the most records in one request
	FieldNoApprovedFiling Code = "no_approved_filing" // sales of a product without approval
	FieldPlatformRequired Code = "platform_required"  // online sales without a platform
	FieldCountryRequired  Code = "country_required"   // exports without a country
	FieldExportOnly       Code = "export_only"        // a country on non-export sales
	FieldOnlineOnly       Code = "online_only"        // a platform on non-online sales
	FieldOfflinePlain     Code = "offline_plain"      // offline sales with a platform or country
	FieldChannel          Code = "channel"            // not online, export or offline
	FieldAmount           Code = "amount"             // not yuan with at most 2 decimals
	FieldAmountTooLarge   Code = "amount_too_large"   // above any monthly figure
	FieldQuantity         Code = "quantity"           // not kg with at most 3 decimals
	FieldQuantityTooLarge Code = "quantity_too_large" // above any monthly figure
	FieldDuplicateRecord  Code = "duplicate_record"   // Args: index of the earlier record

	FieldSerial           Code = "serial"          // Args: first, last serial allowed
	FieldTooManyLabels    Code = "labels_per_file" // Args: the most labels a print file holds
	FieldTemplate         Code = "template"        // not a label template
	FieldTemplateTooSmall Code = "template_small"  // the QR does not fit this template
	FieldFraction         Code = "fraction"        // not a fraction from 0 to 1
	FieldSlotEmpty        Code = "slot_empty"      // a code slot without width or height
	FieldSlotOutside      Code = "slot_outside"    // a code slot reaching past the artwork
	FieldSlotOrder        Code = "slot_order"      // slot fields missing before the file
)
