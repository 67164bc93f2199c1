"""Exceptions raised for problems in the user's inputs.

Every message must name what the user has to look at: the sample, the file (and line where
there is one) or the configuration key, and say what to do about it.
"""


class InputError(ValueError):
    """A user-supplied input (sample sheet, FASTQ, reference, module file, config) is invalid."""
