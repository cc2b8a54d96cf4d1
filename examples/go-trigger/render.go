package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// stepLine is the line `stigmer-runner run` prints for a step (src/cli/render.ts stepLine):
// mark, name, duration, the attempt when it was not the first, and the note or the error.
func stepLine(step Step) string {
	mark := "…"
	switch step.Status {
	case "succeeded":
		mark = "✓"
	case "failed":
		mark = "✗"
	}
	attempt := ""
	if step.Attempts > 1 {
		attempt = fmt.Sprintf(" (attempt %d)", step.Attempts)
	}
	tail := ""
	if step.Status == "failed" {
		tail = "\n    " + strings.ReplaceAll(step.Error, "\n", "\n    ")
	} else if step.Note != "" {
		tail = "  " + step.Note
	}
	return fmt.Sprintf("%s %s %s%s%s", mark, padEnd(step.Name, 19), padStart(formatDuration(step.DurationMs), 7), attempt, tail)
}

// formatDuration is `123 ms` under a second, else `1.2 s` (core/contract/progress.ts formatDuration).
func formatDuration(ms *float64) string {
	if ms == nil {
		return ""
	}
	if *ms < 1000 {
		return roundHalfUp(*ms, 1).String() + " ms"
	}
	tenths := roundHalfUp(*ms/1000, 10)
	whole, frac := new(big.Int).QuoRem(tenths, big.NewInt(10), new(big.Int))
	return fmt.Sprintf("%s.%s s", whole, frac)
}

// roundHalfUp rounds x*scale to an integer, halves up, on x's exact binary value — as JavaScript's
// Math.round and toFixed do (Go's strconv rounds halves to even: 1.25 would print as 1.2, not 1.3).
func roundHalfUp(x float64, scale int64) *big.Int {
	exact := new(big.Float).SetPrec(256).SetFloat64(x)
	exact.Mul(exact, new(big.Float).SetInt64(scale))
	exact.Add(exact, big.NewFloat(0.5))
	rounded, accuracy := exact.Int(nil)
	if accuracy == big.Above { // truncated toward zero past a negative value: floor is one less
		rounded.Sub(rounded, big.NewInt(1))
	}
	return rounded
}

// padEnd and padStart pad to a width in characters, as String.prototype.padEnd/padStart do for these ASCII texts.
func padEnd(text string, width int) string {
	if n := len([]rune(text)); n < width {
		return text + strings.Repeat(" ", width-n)
	}
	return text
}

func padStart(text string, width int) string {
	if n := len([]rune(text)); n < width {
		return strings.Repeat(" ", width-n) + text
	}
	return text
}

// waitingLine is what `stigmer-runner run` prints once for a step still running after a moment:
// what it waits for (src/cli/render.ts waitingLine).
func waitingLine(step Step) string {
	return fmt.Sprintf("… %s %s", padEnd(step.Name, 19), step.Summary)
}

// waitingNoticeMs is how long a step runs before its waiting line is printed.
const waitingNoticeMs = 2000

// printer prints each step once it settles (succeeded or failed), and what a long step waits for,
// as `stigmer-runner run` does.
type printer struct {
	printed map[string]string
	waiting map[string]bool
	now     func() float64 // epoch ms
	say     func(string)
}

func newPrinter(say func(string)) *printer {
	return &printer{printed: map[string]string{}, waiting: map[string]bool{}, now: func() float64 { return float64(time.Now().UnixMilli()) }, say: say}
}

func (p *printer) settled(progress Progress) {
	for _, step := range progress.Steps {
		if step.Status == "running" && step.Summary != "" && step.StartedAt != nil && p.now()-*step.StartedAt >= waitingNoticeMs && !p.waiting[step.Name] {
			p.waiting[step.Name] = true
			p.say(waitingLine(step))
		}
		if (step.Status == "succeeded" || step.Status == "failed") && p.printed[step.Name] != step.Status {
			p.printed[step.Name] = step.Status
			p.say(stepLine(step))
		}
	}
}

// jsonReport is what `--json` prints: the keys `stigmer-runner run --json` prints (but the UI link, and
// `reused`, which only a warm run of stigmer-runner adds: this trigger always starts or attaches).
type jsonReport struct {
	WorkflowID          string          `json:"workflowId"`
	RunID               string          `json:"runId"`
	Status              string          `json:"status"` // ready or failed
	Steps               []Step          `json:"steps"`
	Checks              []Check         `json:"checks"`
	Diagnosis           []any           `json:"diagnosis"`
	Error               *Failure        `json:"error,omitempty"`
	Runner              json.RawMessage `json:"runner,omitempty"`
	Network             *network        `json:"network,omitempty"`
	Container           json.RawMessage `json:"container,omitempty"`
	StoppedAfterFailure *Stopped        `json:"stoppedAfterFailure,omitempty"`
}

type network struct {
	Mode       string   `json:"mode"`
	ExtraHosts []string `json:"extraHosts"`
	HostAlias  *string  `json:"hostAlias"`
}

func report(workflowID, runID string, progress Progress) jsonReport {
	status := "failed"
	if progress.Status == "ready" {
		status = "ready"
	}
	diagnosis := []any{}
	for _, entry := range progress.Diagnoses {
		if !entry.OK {
			diagnosis = append(diagnosis, entry)
		}
	}
	if len(diagnosis) == 0 && progress.Error != nil {
		diagnosis = append(diagnosis, map[string]string{"cause": progress.Error.Message})
	}
	out := jsonReport{
		WorkflowID:          workflowID,
		RunID:               runID,
		Status:              status,
		Steps:               orEmpty(progress.Steps),
		Checks:              orEmpty(progress.Checks),
		Diagnosis:           diagnosis,
		Error:               progress.Error,
		Container:           progress.Container,
		StoppedAfterFailure: progress.StoppedAfterFailure,
	}
	if plan := progress.Plan; plan != nil {
		out.Runner = plan.Runner
		out.Network = &network{Mode: plan.Mode, ExtraHosts: plan.ExtraHosts, HostAlias: plan.HostAlias}
	}
	return out
}

func orEmpty[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
