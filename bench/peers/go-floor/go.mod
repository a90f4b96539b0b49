module crdconv.bench/go-floor

go 1.25.0
