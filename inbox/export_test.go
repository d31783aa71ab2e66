package inbox

// The worker's tuning, for the tests of what it does at its limits.
const (
	MaxAttempts = maxAttempts
	MaxBackoff  = maxBackoff
	JobLease    = jobLease
)
