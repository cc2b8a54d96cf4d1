// Package contract is stigmer-runner's published workflow contract for Go clients: the files of
// v1/ and v2/ (contract.json and the JSON Schemas), embedded as committed; v2 is current, v1 frozen. They are generated from the
// TypeScript code by `npm run contract`; nothing here restates them.
package contract

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
)

// Files holds v1/*.json and v2/*.json as committed: contract.json and the *.schema.json documents.
//
//go:embed v1/*.json v2/*.json
var Files embed.FS

// Contract is a version's contract.json.
type Contract struct {
	Version          int                 `json:"version"`
	TaskQueue        string              `json:"taskQueue"`
	Workflows        map[string]Workflow `json:"workflows"`
	SearchAttributes []SearchAttribute   `json:"searchAttributes"`
	FailureTypes     []string            `json:"failureTypes"`
	ExitCodes        []ExitCode          `json:"exitCodes"`
	// TriggerEnvNames are the setting env vars a trigger hands over in trigger.env (never secrets).
	TriggerEnvNames []string `json:"triggerEnvNames"`
	// MaskedTriggerEnvNames are the trigger env vars whose URL user-info travels masked (user:***@).
	MaskedTriggerEnvNames []string `json:"maskedTriggerEnvNames"`
}

// Workflow describes one workflow type: how its id is made and where its payload schemas are.
type Workflow struct {
	WorkflowIDPrefix         string            `json:"workflowIdPrefix"`
	WorkflowID               string            `json:"workflowId"`
	WorkflowIDConflictPolicy string            `json:"workflowIdConflictPolicy"`
	Input                    string            `json:"input"`
	Result                   string            `json:"result"`
	FailureDetails           string            `json:"failureDetails,omitempty"`
	Queries                  map[string]string `json:"queries"`
}

// SearchAttribute is a custom search attribute the workflows use (Type as Temporal names it, e.g. KEYWORD).
type SearchAttribute struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ExitCode is one exit code of a trigger; FailureTypes are the provision failures that give it.
type ExitCode struct {
	Name         string   `json:"name"`
	Code         int      `json:"code"`
	Meaning      string   `json:"meaning"`
	FailureTypes []string `json:"failureTypes"`
}

// V1 reads the embedded v1/contract.json (frozen: for clients that still speak v1).
func V1() (Contract, error) { return version(1) }

// V2 reads the embedded v2/contract.json: the current contract.
func V2() (Contract, error) { return version(2) }

func version(n int) (Contract, error) {
	name := fmt.Sprintf("v%d/contract.json", n)
	data, err := Files.ReadFile(name)
	if err != nil {
		return Contract{}, err
	}
	var c Contract
	if err := json.Unmarshal(data, &c); err != nil {
		return Contract{}, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// WorkflowID is the id of a workflow type's execution for a runner: one execution per runner at a time.
func (c Contract) WorkflowID(workflowType, runner string) string {
	return c.Workflows[workflowType].WorkflowIDPrefix + runner
}

// Exit returns the exit code with this name (ready, failed, invalidInput, unreachable).
func (c Contract) Exit(name string) int {
	for _, e := range c.ExitCodes {
		if e.Name == name {
			return e.Code
		}
	}
	panic(fmt.Sprintf("contract.json has no exit code %q", name))
}

// ExitFor is the exit code of a settled provision: ready, or the code its failure type gives (else failed).
func (c Contract) ExitFor(ready bool, failureType string) int {
	if ready {
		return c.Exit("ready")
	}
	for _, e := range c.ExitCodes {
		if slices.Contains(e.FailureTypes, failureType) {
			return e.Code
		}
	}
	return c.Exit("failed")
}
