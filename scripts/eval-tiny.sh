#!/usr/bin/env bash
# Reproduces the shipped evaluation report of the `tiny` model (models/tiny/report/), after
# scripts/train-tiny.sh has made the model and its two surveys (runs/train-tiny/sim-train,
# 20,000 objects, seed 101; runs/train-tiny/sim-heldout, 2,500 objects, seed 202):
#
#   1. supervised baselines  the tiny image (and spectrum) encoder + a regression head trained
#                            from scratch on redshift and the four properties of the training
#                            survey: image 1,500 steps x 32, lr 1e-3 (~17 min on a free core);
#                            spectrum 800 steps x 32, lr 5e-4 (~14 min)
#   2. skyclip eval          k-NN / linear / few-shot heads on skyclip, random-init and
#                            photometry features (reference: 10,000 objects of the training
#                            survey; scored: the held-out survey), retrieval, label-efficiency
#                            curve, the supervised row                              (~20 min)
#
# Resumable: the supervised stage is skipped when its model exists (pass --resume to continue an
# interrupted one from its checkpoint); eval caches embeddings in WORK/eval/cache.
# Usage: scripts/eval-tiny.sh [--resume]      (npm run eval:tiny)
# Environment: SKYCLIP_MODEL (default models/tiny), SKYCLIP_WORK (default runs/train-tiny),
#              SKYCLIP_REPORT (default MODEL/report), SKYCLIP_SUPERVISED_STEPS (image, default 1500),
#              SKYCLIP_SUPERVISED_SPECTRUM_STEPS (default 800).
set -euo pipefail
cd "$(dirname "$0")/.."
RESUME=()
for arg in "$@"; do
  case "$arg" in
    --resume) RESUME=(--resume) ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "eval-tiny: unknown argument '$arg' (only --resume)" >&2; exit 2 ;;
  esac
done
MODEL=${SKYCLIP_MODEL:-models/tiny}
WORK=${SKYCLIP_WORK:-runs/train-tiny}
REPORT=${SKYCLIP_REPORT:-$MODEL/report}
STEPS=${SKYCLIP_SUPERVISED_STEPS:-1500}
SPECTRUM_STEPS=${SKYCLIP_SUPERVISED_SPECTRUM_STEPS:-800}
SKYCLIP=(node bin/skyclip.js)
for need in "$MODEL/model.json" "$WORK/sim-train/survey.json" "$WORK/sim-heldout/survey.json"; do
  [ -f "$need" ] || { echo "eval-tiny: $need is missing; run scripts/train-tiny.sh first" >&2; exit 2; }
done
stamp() { echo "[eval-tiny $(date -u +%H:%M:%S)] $*"; }

supervised() { # modality steps lr
  local out="$WORK/supervised-$1"
  if [ -f "$out/model.json" ]; then stamp "skip: $out exists"; return; fi
  stamp "supervised $1 baseline: $2 steps x 32, lr $3 -> $out"
  "${SKYCLIP[@]}" train-supervised --modality "$1" --preset tiny --data "$WORK/sim-train" \
    --out "$out" --run-dir "$WORK/runs/supervised-$1" \
    --steps "$2" --batch 32 --lr "$3" --seed 1 ${RESUME[@]+"${RESUME[@]}"}
}
supervised image "$STEPS" 1e-3
supervised spectrum "$SPECTRUM_STEPS" 5e-4

stamp "eval -> $REPORT"
"${SKYCLIP[@]}" eval --model "$MODEL" --reference "$WORK/sim-train" --data "$WORK/sim-heldout" \
  --out "$WORK/eval" --supervised "$WORK/supervised-image" --supervised "$WORK/supervised-spectrum"
rm -rf "$REPORT.tmp" && mkdir -p "$REPORT.tmp"
find "$WORK/eval" -maxdepth 1 -type f -exec cp {} "$REPORT.tmp/" \;
# the baselines' training records, logs and curves (not their weights or checkpoints)
for m in image spectrum; do
  mkdir -p "$REPORT.tmp/supervised-$m"
  cp "$WORK/supervised-$m/training.json" "$REPORT.tmp/supervised-$m/"
  cp "$WORK"/supervised-$m/training-log/supervised-$m/* "$REPORT.tmp/supervised-$m/"
done
rm -rf "$REPORT" && mv "$REPORT.tmp" "$REPORT"
stamp "report in $REPORT (report.md, report.json, figures)"
