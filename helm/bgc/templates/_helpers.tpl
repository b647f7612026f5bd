{{/* Name of the release's objects: <release>-bgc unless the release is called bgc. */}}
{{- define "bgc.fullname" -}}
{{- if contains "bgc" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-bgc" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Kubernetes recommended labels. Call with (dict "ctx" . "component" "api"). */}}
{{- define "bgc.labels" -}}
app.kubernetes.io/name: bgc
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: bgc-analytics
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version }}
{{- end -}}

{{- define "bgc.selectorLabels" -}}
app.kubernetes.io/name: bgc
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "bgc.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{- define "bgc.landingClaim" -}}
{{- .Values.landing.existingClaim | default "bgc-landing" -}}
{{- end -}}

{{/* Data database URL for a role; the password comes from BGC_DATABASE_PASSWORD. */}}
{{- define "bgc.databaseUrl" -}}
{{- $db := .ctx.Values.database -}}
postgresql://{{ .user }}@{{ $db.host }}:{{ $db.port }}/{{ $db.name }}?sslmode={{ $db.sslmode }}
{{- end -}}
