package main

// Whether a provisioning worker polls the task queue. The trigger runs no worker of its own (unlike
// `stigmer-runner run`): with none polling, a started provision waits for ever without a word, so the
// trigger looks, and says so within seconds (exit `noWorker` from the contract). DescribeTaskQueue
// keeps a poller listed for minutes after it died, so only a recent poll counts (core/pollers.ts in
// the TypeScript project: a long poll's length, ~70 s); and a server splits a queue into partitions,
// describing one at a time, so the others are described when the queue's own shows none.

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
)

const (
	// livePollerWindow is how recently a poller must have polled to count as a worker that is there.
	livePollerWindow = 70 * time.Second
	// noWorkerWait is how long the trigger looks for a worker before it says there is none.
	noWorkerWait = 5 * time.Second
	workerRound  = 250 * time.Millisecond
)

// livePoller is whether a listed poller polled within the window before now (a second of clock skew allowed).
func livePoller(pollers []*taskqueuepb.PollerInfo, now time.Time) bool {
	for _, poller := range pollers {
		if last := poller.GetLastAccessTime(); last != nil && now.Sub(last.AsTime()) <= livePollerWindow+time.Second {
			return true
		}
	}
	return false
}

// queueService is the part of the workflow service the check calls (tests answer it).
type queueService interface {
	DescribeTaskQueue(context.Context, *workflowservice.DescribeTaskQueueRequest, ...grpc.CallOption) (*workflowservice.DescribeTaskQueueResponse, error)
	ListTaskQueuePartitions(context.Context, *workflowservice.ListTaskQueuePartitionsRequest, ...grpc.CallOption) (*workflowservice.ListTaskQueuePartitionsResponse, error)
}

// workerPolls is one look: the queue's own partition, then the others the server lists, both task types.
func workerPolls(ctx context.Context, service queueService, namespace, queue string, now func() time.Time) (bool, error) {
	partitions := []string{queue}
	for round := 0; round < 2; round++ {
		for _, partition := range partitions {
			for _, kind := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
				described, err := service.DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
					Namespace: namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: partition}, TaskQueueType: kind,
				})
				if err != nil {
					return false, err
				}
				if livePoller(described.GetPollers(), now()) {
					return true, nil
				}
			}
		}
		partitions = otherPartitions(ctx, service, namespace, queue)
	}
	return false, nil
}

// otherPartitions are the queue's partitions but its own (none where the server will not list them).
func otherPartitions(ctx context.Context, service queueService, namespace, queue string) []string {
	listed, err := service.ListTaskQueuePartitions(ctx, &workflowservice.ListTaskQueuePartitionsRequest{
		Namespace: namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: queue},
	})
	if err != nil {
		return nil
	}
	var others []string
	for _, partition := range append(listed.GetWorkflowTaskQueuePartitions(), listed.GetActivityTaskQueuePartitions()...) {
		if key := partition.GetKey(); key != "" && key != queue {
			others = append(others, key)
		}
	}
	return others
}

// awaitWorker looks until a worker polls or `within` has passed; an error (a server that will not
// describe queues) is returned as it is: the caller cannot tell, and follows the provision as before.
func awaitWorker(ctx context.Context, service queueService, namespace, queue string, within time.Duration) (bool, error) {
	deadline := time.Now().Add(within)
	for {
		polls, err := workerPolls(ctx, service, namespace, queue, time.Now)
		if polls || err != nil || time.Now().After(deadline) {
			return polls, err
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(workerRound):
		}
	}
}

// noWorkerMessage names the queue, the Temporal and where its address came from, and the fix.
func noWorkerMessage(queue, workflowID string, target temporalTarget, within time.Duration) string {
	return fmt.Sprintf(`go-trigger: no worker polls task queue %s on Temporal %s (namespace %s; address from %s) — looked for %s.
  %s is queued and runs when a provisioning worker polls the queue. Fix: start one where the runner should run,
  with the same Temporal settings: stigmer-runner worker — or use stigmer-runner run, which runs its own worker.`,
		queue, target.Address.Value, target.Namespace.Value, target.Address.Source, within, workflowID)
}
