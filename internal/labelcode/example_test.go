package labelcode_test

import (
	"fmt"

	"gimark/internal/labelcode"
)

func Example() {
	// A code as a customer might type it from a label: lower case, stray
	// space, and the letter O where the label has a zero.
	code, err := labelcode.Parse("o123-4567-89ab-cdefp ")
	fmt.Println(code, err)
	fmt.Println(labelcode.Format(code))

	// One mistyped symbol is caught by the check symbol.
	_, err = labelcode.Parse("0123-4567-89ab-cdeep")
	fmt.Println(err)
	// Output:
	// 0123456789ABCDEFP <nil>
	// 0123-4567-89AB-CDEFP
	// labelcode: check symbol mismatch
}
