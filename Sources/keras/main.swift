// The `keras` command line; its commands live in the KerasCLI library.
import KerasCLI

await KerasCommand.runMain()
