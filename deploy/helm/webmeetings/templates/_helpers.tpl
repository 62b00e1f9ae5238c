{{/* Names and labels shared by every object of the release. */}}
{{- define "webmeetings.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "webmeetings.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "webmeetings.labels" -}}
{{ include "webmeetings.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "webmeetings.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The settings every portal container and the migration job read: the ConfigMap of the
     non-empty `config` values, the existing Secret (DATABASE_URL and the other secrets), extraEnv. */}}
{{- define "webmeetings.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "webmeetings.fullname" . }}
  - secretRef:
      name: {{ required "existingSecret is required: a Secret with DATABASE_URL (and any other secret setting)" .Values.existingSecret }}
{{- with .Values.extraEnv }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* /tmp is the only place the portal writes; the root filesystem stays read-only. */}}
{{- define "webmeetings.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.saml.existingSecret }}
- name: saml
  mountPath: /etc/webmeetings/saml
  readOnly: true
{{- end }}
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "webmeetings.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .Values.saml.existingSecret }}
- name: saml
  secret:
    secretName: {{ .Values.saml.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}
