import APCommandLine

await APCommand.start()
