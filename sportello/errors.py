"""The root of the desk's exception tree; this module imports nothing, so every package can use it.

    Exception
     └── SportelloError              something the desk refuses or cannot do, said in words
          ├── SettingsError          config.yml or the environment is wrong (sportello.settings)
          ├── BotConfigurationError  the Telegram settings cannot work (bot.settings)
          ├── KnowledgeBaseError     entries that do not validate (knowledge.validation)
          ├── EntryFormatError       one entry file cannot be read (knowledge.entries)
          ├── TopicsError            the topic list cannot be read (knowledge.topics)
          ├── QueryError             a question that cannot be searched (knowledge.retriever)
          ├── LabelledFileError      a labelled evaluation file is malformed (knowledge.evaluation)
          ├── EncoderUnavailable     the sentence encoder cannot be loaded (knowledge.encoders)
          ├── NluDataError           the NLU training data is malformed (nlu.training_data)
          ├── StorageError           the database cannot be reached or migrated (storage.errors)
          ├── NotFoundError          a row the caller relies on is missing (storage.errors)
          └── WorkerError            a worker process failed (sportello.workers)

Each keeps its standard base too (ValueError, LookupError, RuntimeError), so code that catches
those still does. The CLI catches `SportelloError` and prints its message instead of a traceback.
"""

from __future__ import annotations

__all__ = ["SportelloError"]


class SportelloError(Exception):
    """An error of the desk, with a message a person can act on."""
