#!/bin/sh
# Add PSI Desktop to this user's menu, without admin rights:
#   ./install.sh              a menu entry, its icon and the command ~/.local/bin/psi-desktop
#   ./install.sh --uninstall  remove them again (your records are kept)
# The program runs from this folder: put the folder where it should stay first, then run this.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor
bin=$HOME/.local/bin
refresh() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" 2>/dev/null || true
}
case "${1:-}" in
--uninstall)
    rm -f "$apps/psi-desktop.desktop" "$icons/256x256/apps/psi-desktop.png" "$icons/scalable/apps/psi-desktop.svg"
    if [ -L "$bin/psi-desktop" ]; then rm -f "$bin/psi-desktop"; fi
    refresh
    echo "Removed the menu entry and the psi-desktop command."
    echo "Your records in $data/PSI Desktop are kept. Delete $here to remove the program itself."
    exit 0
    ;;
"") ;;
*)
    echo "usage: $0 [--uninstall]" >&2
    exit 2
    ;;
esac
case "$here" in
*[\"\`\$\\%]*)
    echo "Move this folder to a path without \" \` \$ \\ or % in it, then run install.sh again." >&2
    exit 1
    ;;
esac
mkdir -p "$apps" "$icons/256x256/apps" "$icons/scalable/apps" "$bin"
cp "$here/psi-desktop.png" "$icons/256x256/apps/psi-desktop.png"
cp "$here/psi-desktop.svg" "$icons/scalable/apps/psi-desktop.svg"
while IFS= read -r line; do
    case "$line" in
    Exec=*) printf 'Exec="%s/psi-desktop"\n' "$here" ;;
    *) printf '%s\n' "$line" ;;
    esac
done <"$here/psi-desktop.desktop" >"$apps/psi-desktop.desktop"
ln -sfn "$here/psi-desktop" "$bin/psi-desktop"
refresh
echo "PSI Desktop is in your applications menu, and the command psi-desktop is in $bin."
echo "Your records will be kept in $data/PSI Desktop."
