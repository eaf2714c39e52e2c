package domain

// ErrorKind is a stable code for an expected failure. It is itself an error, so callers test with
// errors.Is(err, domain.ErrAppNumberCheck) or recover the code with errors.As and look up the
// localized message keyed by it. Errors returned by this package wrap exactly one ErrorKind.
type ErrorKind string

// Error returns the code prefixed with the package name; it is meant for logs, not for owners.
func (k ErrorKind) Error() string { return "domain: " + string(k) }

// The error kinds of this package, grouped by the value they describe.
const (
	// Application numbers.
	ErrAppNumberLength ErrorKind = "app_number_length" // not 8 symbols (after an optional prefix)
	ErrAppNumberPrefix ErrorKind = "app_number_prefix" // a prefix that is not ours
	ErrAppNumberSymbol ErrorKind = "app_number_symbol" // a character outside Crockford base32, or U
	ErrAppNumberCheck  ErrorKind = "app_number_check"  // check symbol does not match: a typo
	ErrRandomSource    ErrorKind = "random_source"     // the random reader failed

	// Permit numbers.
	ErrPermitFormat ErrorKind = "permit_format"      // not recognisable as any permit number
	ErrPermitDigits ErrorKind = "permit_digit_count" // recognised kind, wrong number of digits
	ErrPermitRegion ErrorKind = "permit_region"      // kosmetik region letter outside A–E

	// Phone numbers.
	ErrPhoneFormat    ErrorKind = "phone_format"     // characters or shape that are not a phone number
	ErrPhoneForeign   ErrorKind = "phone_foreign"    // a country code other than +62
	ErrPhoneNotMobile ErrorKind = "phone_not_mobile" // an Indonesian landline or other non-08 number
	ErrPhoneLength    ErrorKind = "phone_length"     // not 10–13 digits in local 08… form

	// NIB.
	ErrNIBFormat ErrorKind = "nib_format" // empty, or not only digits

	// Documents.
	ErrFileTooLarge ErrorKind = "file_too_large" // above the document's size limit
	ErrFileType     ErrorKind = "file_type"      // a MIME type the document does not accept

	// Application statuses.
	ErrUnknownStatus        ErrorKind = "status_unknown"            // not one of the status codes
	ErrTransitionNotAllowed ErrorKind = "status_transition_invalid" // no arrow from → to
	ErrActorNotAllowed      ErrorKind = "status_actor_not_allowed"  // the arrow exists, not for this actor
)
