#!/usr/bin/env bash
# Installs what the spreadsheet tests use as an outside judge of commlog's xlsx and CSV files:
# Debian's LibreOffice Calc (headless `soffice --convert-to`), LibreOffice Writer (which writes the docx, pdf and
# doc attachments the sensitive-data tests read), a CJK font so that its PDF
# renderings of a register show the Chinese, and poppler-utils' pdftoppm to turn them into PNGs.
# Does nothing when all are present; needs root or sudo otherwise.
set -euo pipefail
if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
  && dpkg -s libreoffice-writer >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-office: LibreOffice is missing; install the Debian packages libreoffice-calc, libreoffice-writer, poppler-utils and fonts-noto-cjk as root" >&2
    exit 1
  fi
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc libreoffice-writer poppler-utils fonts-noto-cjk >/dev/null
