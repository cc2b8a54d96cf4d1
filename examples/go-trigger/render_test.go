package main

import (
	"encoding/json"
	"os"
	"testing"
)

// testdata/step-lines.json is what `stigmer-runner run` prints for each step (written by
// `npm run contract`, checked against the TypeScript by src/cli/step-lines.test.ts).
func TestStepLinesAreTheCLIs(t *testing.T) {
	data, err := os.ReadFile("testdata/step-lines.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct {
		Cases []struct {
			Step    Step   `json:"step"`
			Line    string `json:"line"`
			Waiting string `json:"waiting"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	if len(fixture.Cases) < 20 {
		t.Fatalf("only %d cases", len(fixture.Cases))
	}
	for _, c := range fixture.Cases {
		if got := stepLine(c.Step); got != c.Line {
			t.Errorf("stepLine(%+v)\n got %q\nwant %q", c.Step, got, c.Line)
		}
		if got := waitingLine(c.Step); c.Waiting != "" && got != c.Waiting {
			t.Errorf("waitingLine(%+v)\n got %q\nwant %q", c.Step, got, c.Waiting)
		}
	}
}

func TestPrinterPrintsEachStepOnceItSettles(t *testing.T) {
	var lines []string
	p := newPrinter(func(line string) { lines = append(lines, line) })
	ms := 12.0
	running := Progress{Steps: []Step{{Name: "resolveConfig", Status: "succeeded", Attempts: 1, DurationMs: &ms}, {Name: "planNetworking", Status: "running", Attempts: 1}}}
	p.settled(running)
	p.settled(running)
	if len(lines) != 1 {
		t.Fatalf("printed %q", lines)
	}
	running.Steps[1] = Step{Name: "planNetworking", Status: "failed", Attempts: 2, DurationMs: &ms, Error: "no engine"}
	p.settled(running)
	if len(lines) != 2 || lines[1] != "✗ planNetworking        12 ms (attempt 2)\n    no engine" {
		t.Fatalf("printed %q", lines)
	}
	// A step running for 2 s or more says once what it waits for.
	started := 10_000.0
	p.now = func() float64 { return started + 1999 }
	long := Progress{Steps: []Step{{Name: "awaitRunnerReady", Status: "running", Attempts: 1, StartedAt: &started, Summary: "wait up to 60 s"}}}
	p.settled(long)
	p.now = func() float64 { return started + 2000 }
	p.settled(long)
	p.settled(long)
	if len(lines) != 3 || lines[2] != "… awaitRunnerReady    wait up to 60 s" {
		t.Fatalf("printed %q", lines)
	}
}

func TestJSONReportHasTheCLIsKeys(t *testing.T) {
	alias := "host.docker.internal"
	progress := Progress{Status: "failed", Steps: nil, Diagnoses: []Diagnosis{{Service: "ollama", OK: true}, {Service: "backend", OK: false, Cause: "down"}}, Plan: &Plan{Mode: "bridge", ExtraHosts: []string{}, HostAlias: &alias}, Error: &Failure{Type: "ConnectivityFailed", Message: "m"}}
	data, _ := json.Marshal(report("provision-runner-r", "run-1", progress))
	var got map[string]any
	_ = json.Unmarshal(data, &got)
	for _, key := range []string{"workflowId", "runId", "status", "steps", "checks", "diagnosis", "error", "network"} {
		if _, ok := got[key]; !ok {
			t.Errorf("no %q in %s", key, data)
		}
	}
	if diagnosis := got["diagnosis"].([]any); len(diagnosis) != 1 || diagnosis[0].(map[string]any)["service"] != "backend" {
		t.Errorf("diagnosis %v", got["diagnosis"])
	}
	bare, _ := json.Marshal(report("w", "r", Progress{Status: "failed", Error: &Failure{Type: "InvalidInput", Message: "bad"}}))
	if string(bare) != `{"workflowId":"w","runId":"r","status":"failed","steps":[],"checks":[],"diagnosis":[{"cause":"bad"}],"error":{"type":"InvalidInput","message":"bad"}}` {
		t.Errorf("bare report %s", bare)
	}
}
