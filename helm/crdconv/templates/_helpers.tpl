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
