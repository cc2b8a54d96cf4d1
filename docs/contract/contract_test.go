package contract

import (
	"encoding/json"
	"testing"
)

func TestV1ReadsTheCommittedContract(t *testing.T) {
	c, err := V1()
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || c.TaskQueue == "" || len(c.TriggerEnvNames) == 0 {
		t.Fatalf("incomplete contract: %+v", c)
	}
	for _, workflowType := range []string{"provisionRunner", "teardownRunner"} {
		w, ok := c.Workflows[workflowType]
		if !ok || w.WorkflowIDPrefix == "" || w.WorkflowIDConflictPolicy != "USE_EXISTING" {
			t.Fatalf("workflow %s: %+v", workflowType, w)
		}
		for _, schema := range []string{w.Input, w.Result} {
			data, err := Files.ReadFile("v1/" + schema)
			if err != nil || !json.Valid(data) {
				t.Fatalf("schema %s of %s: %v", schema, workflowType, err)
			}
		}
	}
	if _, ok := c.Workflows["provisionRunner"].Queries["progress"]; !ok {
		t.Fatal("provisionRunner has no progress query")
	}
	if got := c.WorkflowID("provisionRunner", "r1"); got != "provision-runner-r1" {
		t.Fatalf("workflow id %q", got)
	}
}

func TestExitCodes(t *testing.T) {
	c, err := V1()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ready       bool
		failureType string
		want        int
	}{
		{true, "", 0},
		{false, "InvalidConfig", 2},
		{false, "InvalidInput", 2},
		{false, "ConnectivityFailed", 3},
		{false, "RunnerNotReady", 1},
		{false, "PolicyRefused", 5},
		{false, "", 1},
	}
	for _, tc := range cases {
		if got := c.ExitFor(tc.ready, tc.failureType); got != tc.want {
			t.Errorf("ExitFor(%v, %q) = %d, want %d", tc.ready, tc.failureType, got, tc.want)
		}
	}
	if c.Exit("unreachable") != 3 {
		t.Errorf("unreachable = %d", c.Exit("unreachable"))
	}
}
