@_exported import KerasCore
