@echo off
rem stigmer-local: the packaged app's command-line tool, run with the app's own Node.
rem Layout: <resources>\resources\bin\stigmer-local.cmd, <resources>\app.asar\dist\main\cli.js.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\..\Stigmer Local.exe" "%~dp0..\..\app.asar\dist\main\cli.js" %*
exit /b %ERRORLEVEL%
