// The Go floor: what any Go conversion webhook spends on a review, and no more. net/http with
// crypto/tls on the same certificate files, the body decoded by encoding/json into generic maps
// with UseNumber (so integers keep every digit, as Go webhooks get for free), each object's
// apiVersion set to the desired one, the answer encoded by encoding/json. Nothing typed, nothing
// checked: it is a yardstick for crdconv's bench, not a webhook.
//
// Usage: go-floor --cert-dir DIR [--host 127.0.0.1] [--port 0]
// Prints one JSON line {"msg":"go-floor listening","port":N} on stderr once it accepts
// connections; SIGTERM or SIGINT stop it.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

type review struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Request    *struct {
		UID               string           `json:"uid"`
		DesiredAPIVersion string           `json:"desiredAPIVersion"`
		Objects           []map[string]any `json:"objects"`
	} `json:"request"`
}

type answer struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Response   answerResponse `json:"response"`
}

type answerResponse struct {
	UID              string            `json:"uid"`
	Result           map[string]string `json:"result"`
	ConvertedObjects []map[string]any  `json:"convertedObjects"`
}

func fail(w http.ResponseWriter, status int, err error) {
	body, _ := json.Marshal(map[string]string{"error": err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func convert(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var in review
	if err := dec.Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	if in.Request == nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("no request"))
		return
	}
	for _, o := range in.Request.Objects {
		o["apiVersion"] = in.Request.DesiredAPIVersion
	}
	out := answer{
		APIVersion: in.APIVersion,
		Kind:       "ConversionReview",
		Response: answerResponse{
			UID:              in.Request.UID,
			Result:           map[string]string{"status": "Success"},
			ConvertedObjects: in.Request.Objects,
		},
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(out); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}

func main() {
	certDir := flag.String("cert-dir", "", "directory holding tls.crt and tls.key")
	host := flag.String("host", "127.0.0.1", "address to bind")
	port := flag.Int("port", 0, "port; 0 picks a free one")
	flag.Parse()
	if *certDir == "" {
		fmt.Fprintln(os.Stderr, "go-floor: --cert-dir DIR is required")
		os.Exit(2)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(*certDir, "tls.crt"), filepath.Join(*certDir, "tls.key"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-floor:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/convert", convert)
	srv := &http.Server{
		Handler:     mux,
		IdleTimeout: 120 * time.Second,
		TLSConfig:   &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}},
	}
	l, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-floor:", err)
		os.Exit(1)
	}
	line, _ := json.Marshal(map[string]any{"msg": "go-floor listening", "port": l.Addr().(*net.TCPAddr).Port})
	fmt.Fprintln(os.Stderr, string(line))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ServeTLS(l, "", ""); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "go-floor:", err)
		os.Exit(1)
	}
}
