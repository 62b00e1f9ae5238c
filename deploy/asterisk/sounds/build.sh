#!/usr/bin/env bash
# Synthesises WebMeetings' own prompts (the `sound:wm-*` ones of src/telephony/prompts.ts, worded in
# prompts.tsv) in English and Italian with espeak-ng, and converts them with sox to what Asterisk
# plays without transcoding effort: WAV, 8 kHz, mono, 16-bit signed PCM (format_wav, `.wav`).
#
#   build.sh [SOUNDS_DIR]     writes SOUNDS_DIR/<language>/<name>.wav (default: next to this script)
#
# Point SOUNDS_DIR at Asterisk's sounds directory (`astdatadir` of asterisk.conf plus /sounds, e.g.
# /var/lib/asterisk/sounds) to install them: Asterisk plays `sound:wm-ended` from
# <sounds>/<channel language>/wm-ended.wav. Needs espeak-ng and sox (Debian: apt-get install
# espeak-ng sox). `npm run prompts` runs it into deploy/asterisk/sounds/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here}

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (apt-get install espeak-ng sox)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

count=0
while IFS=$'\t' read -r name lang text; do
  [[ -z $name || $name == \#* ]] && continue
  if [[ ! $name =~ ^wm-[a-z0-9-]+$ || ! $lang =~ ^[a-z]{2}$ || -z $text ]]; then
    echo "build.sh: bad line in prompts.tsv: $name $lang $text" >&2
    exit 1
  fi
  mkdir -p "$out/$lang"
  # espeak-ng's voices are named by language (en: British English, it: Italian); a little slower
  # than its default of 175 words a minute, for the telephone.
  espeak-ng -v "$lang" -s 150 -w "$work/voice.wav" -- "$text"
  # 8 kHz mono 16-bit; a short silence before and after so the line does not clip the first word;
  # normalised to -3 dBFS.
  sox "$work/voice.wav" -r 8000 -c 1 -b 16 -e signed-integer "$work/$lang-$name.wav" norm -3 pad 0.2 0.3
  mv "$work/$lang-$name.wav" "$out/$lang/$name.wav"
  count=$((count + 1))
done <"$here/prompts.tsv"

echo "build.sh: $count prompts in $out"
