await APCommand.start()
