package main

import (
	"context"
	"strings"
	"testing"
	"time"

	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// partitionedQueue answers DescribeTaskQueue from a poller's last poll per partition, as a server
// that splits the queue does: the queue's own partition may list nobody while another lists the worker.
type partitionedQueue struct {
	polled    map[string]time.Time
	described []string
}

func (q *partitionedQueue) DescribeTaskQueue(_ context.Context, request *workflowservice.DescribeTaskQueueRequest, _ ...grpc.CallOption) (*workflowservice.DescribeTaskQueueResponse, error) {
	q.described = append(q.described, request.GetTaskQueue().GetName())
	last, ok := q.polled[request.GetTaskQueue().GetName()]
	if !ok {
		return &workflowservice.DescribeTaskQueueResponse{}, nil
	}
	return &workflowservice.DescribeTaskQueueResponse{Pollers: []*taskqueuepb.PollerInfo{{Identity: "w", LastAccessTime: timestamppb.New(last)}}}, nil
}

func (q *partitionedQueue) ListTaskQueuePartitions(context.Context, *workflowservice.ListTaskQueuePartitionsRequest, ...grpc.CallOption) (*workflowservice.ListTaskQueuePartitionsResponse, error) {
	return &workflowservice.ListTaskQueuePartitionsResponse{WorkflowTaskQueuePartitions: []*taskqueuepb.TaskQueuePartitionMetadata{
		{Key: "q"}, {Key: "/_sys/q/1"}, {Key: "/_sys/q/2"},
	}}, nil
}

func TestWorkerPolls(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	for name, tc := range map[string]struct {
		polled map[string]time.Time
		want   bool
	}{
		"nobody polls":                           {map[string]time.Time{}, false},
		"the queue's own partition, just now":    {map[string]time.Time{"q": now.Add(-time.Second)}, true},
		"another partition only":                 {map[string]time.Time{"/_sys/q/2": now.Add(-10 * time.Second)}, true},
		"listed, but its last poll is 2 min old": {map[string]time.Time{"q": now.Add(-2 * time.Minute)}, false},
	} {
		queue := &partitionedQueue{polled: tc.polled}
		got, err := workerPolls(context.Background(), queue, "default", "q", clock)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v %v, want %v (described %v)", name, got, err, tc.want, queue.described)
		}
	}
}

func TestNoWorkerMessageNamesQueueTemporalAndFix(t *testing.T) {
	target := temporalTarget{Address: sourced[string]{"t.example:7233", "env:TEMPORAL_SERVICE_ADDRESS"}, Namespace: sourced[string]{"ns", "default"}}
	message := noWorkerMessage("runner_provisioning", "provision-runner-r", target, 5*time.Second)
	for _, part := range []string{"task queue runner_provisioning", "Temporal t.example:7233 (namespace ns; address from env:TEMPORAL_SERVICE_ADDRESS)", "looked for 5s", "provision-runner-r is queued", "stigmer-runner worker", "stigmer-runner run"} {
		if !strings.Contains(message, part) {
			t.Errorf("message lacks %q:\n%s", part, message)
		}
	}
}
