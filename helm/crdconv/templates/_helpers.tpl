{{/* Names, labels and shared values of the crdconv chart. */}}

{{/* The chart name, or nameOverride. */}}
{{- define "crdconv.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The name of every namespaced object of the release. A release named like the chart
(`helm install crdconv ...`) gets the bare name, which is what the generated CRDs in crds/ expect.
*/}}
{{- define "crdconv.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "crdconv.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "crdconv.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the webhook pods; they never change after install. */}}
{{- define "crdconv.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crdconv.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "crdconv.labels" -}}
helm.sh/chart: {{ include "crdconv.chart" . }}
{{ include "crdconv.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: conversion-webhook
app.kubernetes.io/part-of: crdconv
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "crdconv.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "crdconv.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "crdconv.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Service the CRDs' conversion webhook calls. */}}
{{- define "crdconv.serviceName" -}}
{{- include "crdconv.fullname" . -}}
{{- end -}}

{{/* The names the serving certificate must carry: the apiserver dials <service>.<namespace>.svc. */}}
{{- define "crdconv.dnsNames" -}}
{{- $svc := printf "%s.%s.svc" (include "crdconv.serviceName" .) .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc .Values.clusterDomain) | toJson -}}
{{- end -}}

{{/*
The Secret the pods mount. Each certificate mode has its own name so that switching modes never
makes Helm adopt a Secret that cert-manager owns (or the reverse).
*/}}
{{- define "crdconv.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "cert-manager" -}}
{{- printf "%s-cert-manager-tls" (include "crdconv.fullname" .) -}}
{{- else -}}
{{- printf "%s-tls" (include "crdconv.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The cert-manager Certificate whose CA cainjector copies into the CRDs. */}}
{{- define "crdconv.servingCertificateName" -}}
{{- printf "%s-serving" (include "crdconv.fullname" .) -}}
{{- end -}}

{{/*
The chart-generated CA and serving pair, as JSON of base64 strings {"ca.crt", "tls.crt",
"tls.key"}. On upgrade the pair in the existing Secret is reused (lookup), so upgrades do not
rotate the certificate by surprise. The result is memoised on the root context because the
Secret and the CRDs' caBundle are rendered by different template files and genCA is random:
both must see the same CA.
*/}}
{{- define "crdconv.generatedTLS" -}}
{{- if not (hasKey $ "crdconvGeneratedTLS") -}}
{{- $keys := list "ca.crt" "tls.crt" "tls.key" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "crdconv.tlsSecretName" .) -}}
{{- $existingData := dict -}}
{{- if $existing -}}
{{- $existingData = $existing.data | default dict -}}
{{- end -}}
{{- $pair := dict -}}
{{- if and (hasKey $existingData "ca.crt") (hasKey $existingData "tls.crt") (hasKey $existingData "tls.key") -}}
{{- range $keys -}}
{{- $_ := set $pair . (index $existingData .) -}}
{{- end -}}
{{- else -}}
{{- $dnsNames := include "crdconv.dnsNames" . | fromJsonArray -}}
{{- $days := int .Values.certificates.generated.validityDays -}}
{{- $ca := genCA (printf "%s-ca" (include "crdconv.fullname" .)) $days -}}
{{- $cert := genSignedCert (first $dnsNames) nil $dnsNames $days $ca -}}
{{- $pair = dict "ca.crt" ($ca.Cert | b64enc) "tls.crt" ($cert.Cert | b64enc) "tls.key" ($cert.Key | b64enc) -}}
{{- end -}}
{{- $_ := set $ "crdconvGeneratedTLS" $pair -}}
{{- end -}}
{{- index $ "crdconvGeneratedTLS" | toJson -}}
{{- end -}}

{{/*
Bytes of a Kubernetes memory quantity (512Mi, 1.5Gi, 1G, 536870912), as a float. Fails on forms
the heap limit cannot be computed from (millibytes, exponents), naming the value.
*/}}
{{- define "crdconv.quantityBytes" -}}
{{- $text := toString . -}}
{{- if or (kindIs "float64" .) (kindIs "int" .) (kindIs "int64" .) -}}
{{- $text = printf "%.0f" (float64 .) -}}
{{- end -}}
{{- if not (regexMatch "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$" $text) -}}
{{- fail (printf "resources.limits.memory %q: the heap limit (heapLimitPercent) is computed from it, so write it as bytes or with a suffix Ki, Mi, Gi, Ti, k, M, G or T (e.g. 512Mi), or set heapLimitPercent=0" $text) -}}
{{- end -}}
{{- $number := regexFind "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)" $text -}}
{{- $suffix := trimPrefix $number $text -}}
{{- $multipliers := dict "" 1.0 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 -}}
{{- mulf (float64 $number) (index $multipliers $suffix) -}}
{{- end -}}

{{/*
V8's heap limit in MiB: resources.limits.memory * heapLimitPercent / 100 / workers, rounded down
(each worker process gets its share; the primary, which converts nothing, stays far below it);
empty when no limit is computed (heapLimitPercent 0, or no memory limit).
*/}}
{{/*
How many worker processes. Each worker is a whole process (its own code, heap and buffers), sized
as one process is by default: 512Mi of resources.limits.memory each. "auto": one per whole CPU of
resources.limits.cpu (written 2, "2", 1.5 or 1500m) and per 512Mi of the memory limit, whichever
is fewer, at least 1 and at most 16 (1 without a CPU limit). A number: refused when the memory
limit gives a worker less than 512Mi.
*/}}
{{- define "crdconv.workers" -}}
{{- $workers := .Values.workers | default 1 -}}
{{- $memory := dig "limits" "memory" "" (.Values.resources | default dict) -}}
{{- $perWorker := 536870912.0 -}}
{{- if eq (toString $workers) "auto" -}}
{{- $cpu := toString (dig "limits" "cpu" "" (.Values.resources | default dict)) -}}
{{- $cores := 1.0 -}}
{{- if hasSuffix "m" $cpu -}}
{{- $cores = divf (float64 (trimSuffix "m" $cpu)) 1000 -}}
{{- else if regexMatch "^[0-9]+(\\.[0-9]*)?$" $cpu -}}
{{- $cores = float64 $cpu -}}
{{- end -}}
{{- $n := floor $cores | int -}}
{{- if ne (toString $memory) "" -}}
{{- $byMemory := divf (include "crdconv.quantityBytes" $memory | float64) $perWorker | floor | int -}}
{{- $n = min $n $byMemory -}}
{{- end -}}
{{- max 1 (min 16 $n) -}}
{{- else -}}
{{- $n := int $workers -}}
{{- if and (gt $n 1) (ne (toString $memory) "") -}}
{{- if lt (include "crdconv.quantityBytes" $memory | float64) (mulf $perWorker $n) -}}
{{- fail (printf "workers %d needs resources.limits.memory of at least %d x 512Mi (each worker is a whole process, sized as one process is by default), not %v: raise the memory limit, lower workers, or set workers: auto" $n $n $memory) -}}
{{- end -}}
{{- end -}}
{{- $n -}}
{{- end -}}
{{- end -}}

{{- define "crdconv.heapLimitMiB" -}}
{{- $percent := int .Values.heapLimitPercent -}}
{{- $memory := dig "limits" "memory" "" (.Values.resources | default dict) -}}
{{- if and (gt $percent 0) (ne (toString $memory) "") -}}
{{- $bytes := include "crdconv.quantityBytes" $memory | float64 -}}
{{- $workers := int (include "crdconv.workers" .) -}}
{{- $mib := divf (mulf $bytes $percent) (mulf 100 1048576 $workers) | floor | int64 -}}
{{- if lt $mib 16 -}}
{{- fail (printf "heapLimitPercent %d of resources.limits.memory %v leaves V8 %d MiB of heap: give the container more memory" $percent $memory $mib) -}}
{{- end -}}
{{- $mib -}}
{{- end -}}
{{- end -}}

{{/* Whether extraEnv sets NODE_OPTIONS itself (then the chart sets no heap limit). */}}
{{- define "crdconv.extraEnvHasNodeOptions" -}}
{{- range .Values.extraEnv -}}
{{- if eq (toString .name) "NODE_OPTIONS" -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/*
PromQL label matchers for this release's crdconv series: prometheusRule.selector, or the job and
namespace the chart's ServiceMonitor gives them (the job label is the Service's name).
*/}}
{{- define "crdconv.metricsSelector" -}}
{{- if .Values.prometheusRule.selector -}}
{{- .Values.prometheusRule.selector -}}
{{- else -}}
{{- printf "job=%q, namespace=%q" (include "crdconv.serviceName" .) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/*
The parts every alert of the PrometheusRule shares: `for`, the severity and extra labels, and the
runbook link. Called with (list $ "AlertName" $alertValues), rendered at the rule's indentation.
*/}}
{{- define "crdconv.alertCommon" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $alert := index . 2 -}}
for: {{ $alert.for }}
labels:
  severity: {{ $alert.severity }}
  {{- with $root.Values.prometheusRule.alertLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{- define "crdconv.alertRunbook" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- with $root.Values.prometheusRule.runbookUrl -}}
runbook_url: {{ printf "%s#%s" . (lower $name) | quote }}
{{- end -}}
{{- end -}}

{{/*
PromQL for "how many counts a counter gained in a window", per group: increase() over series that
existed before the window, and the whole value of series born within it. crdconv's labelled
counters appear at their first count, already above zero, and increase() alone would miss the
counts a series was born with (a one-off failure would never alert). Called with
(list "metric{matchers}" "by-labels" "window").
*/}}
{{- define "crdconv.countInWindow" -}}
{{- $series := index . 0 -}}
{{- $by := index . 1 -}}
{{- $window := index . 2 -}}
{{- printf "sum by (%s) ((%s unless %s offset %s) or increase(%s[%s]))" $by $series $series $window $series $window -}}
{{- end -}}
