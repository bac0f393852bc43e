# Installs provdiag's release binary for Windows (x86_64), checked against its SHA-256, into
# $env:LOCALAPPDATA\provdiag\bin (or $env:PROVDIAG_INSTALL_DIR), and puts that on the user's PATH:
#
#   powershell -ExecutionPolicy Bypass -c "irm https://github.com/provdiag/provdiag/releases/latest/download/provdiag-installer.ps1 | iex"
$ErrorActionPreference = 'Stop'
$repo = if ($env:PROVDIAG_REPO) { $env:PROVDIAG_REPO } else { 'provdiag/provdiag' }
$version = if ($env:PROVDIAG_VERSION) { $env:PROVDIAG_VERSION } else { 'latest' }
$base = if ($env:PROVDIAG_DOWNLOAD_URL) { $env:PROVDIAG_DOWNLOAD_URL }
        elseif ($version -eq 'latest') { "https://github.com/$repo/releases/latest/download" }
        else { "https://github.com/$repo/releases/download/$version" }
$dir = if ($env:PROVDIAG_INSTALL_DIR) { $env:PROVDIAG_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'provdiag\bin' }
$target = 'x86_64-pc-windows-msvc'
$archive = "provdiag-$target.zip"
$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ([System.Guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    Write-Host "provdiag-installer: downloading $archive ($version)"
    Invoke-WebRequest "$base/$archive" -OutFile (Join-Path $tmp $archive) -UseBasicParsing
    Invoke-WebRequest "$base/$archive.sha256" -OutFile (Join-Path $tmp "$archive.sha256") -UseBasicParsing
    $want = ((Get-Content (Join-Path $tmp "$archive.sha256")) -split ' ')[0].ToLower()
    $got = (Get-FileHash (Join-Path $tmp $archive) -Algorithm SHA256).Hash.ToLower()
    if ($want -ne $got) { throw "$archive does not match its SHA-256 (want $want, got $got): not installed" }
    Expand-Archive (Join-Path $tmp $archive) -DestinationPath $tmp
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    Copy-Item (Join-Path $tmp "provdiag-$target\provdiag.exe") (Join-Path $dir 'provdiag.exe') -Force
    $path = [Environment]::GetEnvironmentVariable('Path', 'User')
    if (-not ($path -split ';' | Where-Object { $_ -eq $dir })) {
        [Environment]::SetEnvironmentVariable('Path', "$path;$dir", 'User')
        Write-Host "provdiag-installer: added $dir to your PATH (open a new terminal)"
    }
    Write-Host "provdiag-installer: installed $(Join-Path $dir 'provdiag.exe')"
} finally {
    Remove-Item -Recurse -Force $tmp
}
