package meta

import (
	"bytes"
	"fmt"
	"strconv"
)

// FlexInt decodes an integer Meta sends as a JSON number or a string
// (error_subcode, a media file_size). null and "" leave it 0.
type FlexInt int64

func (n *FlexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	if s == "" || s == "null" {
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("integer %s: %w", b, err)
	}
	*n = FlexInt(v)
	return nil
}
