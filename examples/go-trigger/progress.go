package main

import (
	"encoding/json"
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Progress is what provisionRunner's `progress` query returns, what its result extends, and what
// a failed provision carries as its failure's details (docs/contract/v2/provision-runner.progress.schema.json).
// Only the fields the contract promises are typed; the container is kept as sent.
type Progress struct {
	RunnerName          string          `json:"runnerName"`
	Status              string          `json:"status"` // running, ready or failed
	Steps               []Step          `json:"steps"`
	Checks              []Check         `json:"checks"`
	Diagnoses           []Diagnosis     `json:"diagnoses"`
	Plan                *Plan           `json:"plan,omitempty"`
	Container           json.RawMessage `json:"container,omitempty"`
	Error               *Failure        `json:"error,omitempty"`
	StoppedAfterFailure *Stopped        `json:"stoppedAfterFailure,omitempty"`
}

// Step is one activity of the provision, as it stands.
type Step struct {
	Name       string   `json:"name"`
	Status     string   `json:"status"` // pending, running, succeeded or failed
	Attempts   int      `json:"attempts"`
	StartedAt  *float64 `json:"startedAt,omitempty"`
	DurationMs *float64 `json:"durationMs,omitempty"`
	Summary    string   `json:"summary,omitempty"`
	Note       string   `json:"note,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// Check is one connectivity probe: a service, from where, and what happened.
type Check struct {
	Service string  `json:"service"`
	Site    string  `json:"site"`
	Target  string  `json:"target"`
	OK      bool    `json:"ok"`
	Detail  string  `json:"detail"`
	Ms      float64 `json:"ms"`
	// Outcome is the check's structured result ({kind, code, status, …}), kept as sent.
	Outcome json.RawMessage `json:"outcome,omitempty"`
}

// Diagnosis is a service's verdict: its cause and fix when it failed.
type Diagnosis struct {
	Service  string `json:"service"`
	OK       bool   `json:"ok"`
	Healable bool   `json:"healable"`
	Summary  string `json:"summary"`
	Cause    string `json:"cause,omitempty"`
	Fix      string `json:"fix,omitempty"`
}

// Plan holds the promised fields of the network plan (the runner release, kept as sent).
type Plan struct {
	Mode       string          `json:"mode"`
	ExtraHosts []string        `json:"extraHosts"`
	HostAlias  *string         `json:"hostAlias"`
	Runner     json.RawMessage `json:"runner,omitempty"`
}

// Failure is the type and message a provision failed with.
type Failure struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Stopped says whether a runner that failed verification was stopped.
type Stopped struct {
	Container string `json:"container"`
	Stopped   bool   `json:"stopped"`
	Message   string `json:"message"`
}

// progressFromFailure is a failed provision's progress: the details of its application failure, or
// (bad input, a terminated or timed-out workflow) just its type and message.
func progressFromFailure(err error) Progress {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		var progress Progress
		if appErr.HasDetails() && appErr.Details(&progress) == nil && progress.Status != "" {
			return progress
		}
		return Progress{Status: "failed", Error: &Failure{Type: appErr.Type(), Message: appErr.Message()}}
	}
	return Progress{Status: "failed", Error: &Failure{Type: "Error", Message: err.Error()}}
}
