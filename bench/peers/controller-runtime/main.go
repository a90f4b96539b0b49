// A controller-runtime conversion webhook for the kubebuilder multi-version tutorial's CronJob,
// served the way a kubebuilder project serves it: a manager with a webhook server on the given
// certificate directory, and the conversion webhook registered by the webhook builder for the
// hub (v1) and its spoke (v2). It is one of the anchors crdconv's bench measures itself against;
// no controller runs and no apiserver is contacted (the manager's cache has nothing to watch).
//
// Usage: controller-runtime --cert-dir DIR [--host 127.0.0.1] [--port 0]
// Prints one JSON line {"msg":"controller-runtime listening","port":N} on stderr once the webhook
// answers TLS; SIGTERM or SIGINT stop it.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	batchv1 "crdconv.bench/controller-runtime/api/v1"
	batchv2 "crdconv.bench/controller-runtime/api/v2"
)

func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func main() {
	certDir := flag.String("cert-dir", "", "directory holding tls.crt and tls.key")
	host := flag.String("host", "127.0.0.1", "address to bind")
	port := flag.Int("port", 0, "webhook port; 0 picks a free one")
	flag.Parse()
	if *certDir == "" {
		fmt.Fprintln(os.Stderr, "controller-runtime: --cert-dir DIR is required")
		os.Exit(2)
	}
	ctrl.SetLogger(zap.New(zap.UseDevMode(false)))
	log := ctrl.Log.WithName("setup")

	if *port == 0 {
		p, err := freePort(*host)
		if err != nil {
			log.Error(err, "no free port")
			os.Exit(1)
		}
		*port = p
	}

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{batchv1.AddToScheme, batchv2.AddToScheme} {
		if err := add(scheme); err != nil {
			log.Error(err, "scheme")
			os.Exit(1)
		}
	}

	// As the kubebuilder scaffold does by default: HTTP/2 off on the webhook server.
	disableHTTP2 := func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }
	webhookServer := webhook.NewServer(webhook.Options{
		Host:    *host,
		Port:    *port,
		CertDir: *certDir,
		TLSOpts: []func(*tls.Config){disableHTTP2},
	})

	// No apiserver is contacted: nothing is watched and leader election is off; the config only
	// has to exist for the manager to be built.
	mgr, err := ctrl.NewManager(&rest.Config{Host: "https://127.0.0.1:1"}, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: net.JoinHostPort(*host, "0"),
		WebhookServer:          webhookServer,
		LeaderElection:         false,
	})
	if err != nil {
		log.Error(err, "unable to create the manager")
		os.Exit(1)
	}
	// What `kubebuilder create webhook --conversion` scaffolds: the conversion webhook for the hub.
	if err := ctrl.NewWebhookManagedBy(mgr, &batchv1.CronJob{}).Complete(); err != nil {
		log.Error(err, "unable to create the conversion webhook")
		os.Exit(1)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		log.Error(err, "healthz")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", webhookServer.StartedChecker()); err != nil {
		log.Error(err, "readyz")
		os.Exit(1)
	}

	ctx := ctrl.SetupSignalHandler()
	go func() {
		started := webhookServer.StartedChecker()
		for ctx.Err() == nil {
			if started(nil) == nil {
				line, _ := json.Marshal(map[string]any{"msg": "controller-runtime listening", "port": *port})
				fmt.Fprintln(os.Stderr, string(line))
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if err := mgr.Start(ctx); err != nil && err != context.Canceled {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}
