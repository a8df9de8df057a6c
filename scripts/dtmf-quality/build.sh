#!/usr/bin/env bash
# Builds the DTMF talk-off / talk-down quality set (issue 4, dtmf.md §3.4).
#
#   scripts/dtmf-quality/build.sh [OUT_DIR]          # default: target/dtmf-quality
#   scripts/dtmf-quality/build.sh --excerpt FILE     # the short excerpt the fast test uses
#
# Needs espeak-ng and sox (Debian packages of the same names). Every output
# file is raw 16-bit little-endian linear PCM, 8000 Hz, mono (`*.s16`), and
# has been through a G.711 round trip (A-law or mu-law), as audio reaching a
# gateway's DTMF detector would have. Content:
#   speech_*.s16  synthesized speech: several languages, voices, pitches and
#                 speeds, reading licence text and spoken numbers, at three
#                 loudness settings (peaks at -1, -6 and -14 dBFS);
#   music_*.s16   music-like synthetic signals: random three-note chords
#                 in several timbres (pluck, sawtooth, square, triangle),
#                 glissandi, and pink noise.
# Deterministic: the random generator is seeded, espeak-ng and sox are
# deterministic, so a rebuild gives the same files on the same versions.
# The audio is not committed (tens of MB); only this script and the excerpt.
set -euo pipefail

for tool in espeak-ng sox; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (apt-get install $tool)" >&2; exit 2; }
done

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
excerpt=""
if [[ "${1:-}" == "--excerpt" ]]; then
    excerpt=${2:?"--excerpt needs a file name"}
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
else
    out=${1:-"$root/target/dtmf-quality"}
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work" ${excerpt:+"$out"}' EXIT
RANDOM=4733

# G.711 round trip of a WAV at any rate: resample to 8 kHz mono, encode with
# law $2 (a-law or u-law), decode to raw s16le.
g711() { # in.wav law out.s16
    sox "$1" -r 8000 -c 1 -e "$2" -b 8 "$work/g711.wav"
    sox "$work/g711.wav" -e signed-integer -b 16 -L -t raw "$3"
}

# Texts: licence text (free to reuse) and spoken numbers, the classic
# talk-off trigger.
text_dir="$work/text"
mkdir -p "$text_dir"
licence=/usr/share/common-licenses/GPL-3
[[ -r $licence ]] || licence=/usr/share/common-licenses/GPL-2
# Plain paragraphs of about 120 words each.
tr -s ' \n' ' ' < "$licence" | fold -s -w 750 | head -n 40 > "$text_dir/paragraphs"
numbers() { # count $1 numbers starting at $2
    local n=$2 s=""
    for ((i = 0; i < $1; i++)); do s+="$n, "; n=$(( (n * 7 + 13) % 100000 )); done
    echo "$s"
}

# (voice, speed wpm, pitch 0-99): languages with different phonologies,
# male, female and child-like variants.
voices=(
    "en-us+m3 165 45" "en+f2 175 60" "en-us+m7 150 30" "en+f4 185 75"
    "de+m2 160 40" "de+f3 170 65" "fr+m4 170 50" "fr+f5 160 70"
    "es+m1 180 45" "es+f1 175 60" "it+m5 165 40" "it+f2 170 55"
    "pt+m6 160 35" "nl+f3 170 62" "pl+m2 165 48" "sv+f4 170 58"
    "ru+m3 160 42" "ja+f2 170 66" "cmn+m1 160 50" "hi+f5 165 64"
)
gains=(-1 -6 -14)

i=0
for v in "${voices[@]}"; do
    read -r voice speed pitch <<<"$v"
    # Each voice reads two paragraphs (about 80 s) and a run of numbers.
    text=$(sed -n "$((2 * i + 1)),$((2 * i + 2))p" "$text_dir/paragraphs")
    text+=" $(numbers 25 $((i * 1234 + 7)))"
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$work/raw.wav" "$text"
    gain=${gains[$((i % 3))]}
    law=$([[ $((i % 2)) == 0 ]] && echo a-law || echo u-law)
    sox "$work/raw.wav" "$work/lev.wav" norm "$gain"
    g711 "$work/lev.wav" "$law" "$out/speech_$(printf %02d $i)_${voice/+/_}_${law}_${gain}dB.s16"
    i=$((i + 1))
    if [[ -n $excerpt && $i -ge 4 ]]; then break; fi
done

# Music-like material: random chords from a diatonic scale (MIDI notes
# 55-88), 150-600 ms each, in four timbres, with short fades.
midi_hz() { awk -v m="$1" 'BEGIN { printf "%.2f", 440 * 2 ^ ((m - 69) / 12) }'; }
scale=(0 2 4 5 7 9 11)
timbres=(pluck sawtooth square triangle)
chords=$([[ -n $excerpt ]] && echo 20 || echo 600)
: > "$work/list"
for ((c = 0; c < chords; c++)); do
    notes=()
    for k in 0 1 2; do
        octave=$((RANDOM % 3))
        m=$((55 + 12 * octave + scale[RANDOM % 7]))
        notes+=("$(midi_hz "$m")")
    done
    d=$(awk -v r=$((RANDOM % 450)) 'BEGIN { printf "%.3f", (150 + r) / 1000 }')
    w=${timbres[$((c / 50 % 4))]}
    sox -n -r 8000 -c 3 -b 16 "$work/chord_$c.wav" synth "$d" "$w" "${notes[0]}" "$w" "${notes[1]}" "$w" "${notes[2]}" \
        remix - fade q 0.01 "$d" 0.03 gain -n -10
    echo "$work/chord_$c.wav" >> "$work/list"
done
mapfile -t chord_files < "$work/list"
sox "${chord_files[@]}" "$work/chords.wav"
g711 "$work/chords.wav" a-law "$out/music_chords_a-law.s16"
if [[ -z $excerpt ]]; then
    sox -n -r 8000 -b 16 "$work/gliss.wav" synth 60 sine 200:3400 sine 3000:300 sine 500:1800 \
        remix - gain -n -8 tremolo 3 40
    g711 "$work/gliss.wav" u-law "$out/music_glissandi_u-law.s16"
    sox -n -r 8000 -b 16 "$work/pink.wav" synth 60 pinknoise gain -n -12
    g711 "$work/pink.wav" a-law "$out/music_pinknoise_a-law.s16"
fi

if [[ -n $excerpt ]]; then
    # 6 s of speech from each of four voices, then the 20 chords.
    : > "$work/ex_speech.s16"
    for f in "$out"/speech_*.s16; do head -c $((2 * 8000 * 6)) "$f" >> "$work/ex_speech.s16"; done
    cat "$work/ex_speech.s16" "$out/music_chords_a-law.s16" > "$excerpt"
    echo "excerpt: $excerpt ($(($(stat -c %s "$excerpt") / 16000)) s)"
else
    total=$(cat "$out"/*.s16 | wc -c)
    echo "quality set: $out ($((total / 16000)) s in $(ls "$out"/*.s16 | wc -l) files)"
fi
