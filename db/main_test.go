package db_test

import (
	"testing"

	"switchboard/db/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
