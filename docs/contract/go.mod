module github.com/stigmer/stigmer-runner/docs/contract

go 1.26
