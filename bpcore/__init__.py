"""bpcore — the backpropagation recurrence and its closed-form solutions.

The code behind the course *Closed Forms for Backprop*. Every public function names, in its
docstring, the chapter that introduces it; the notebooks in ``chapters/`` are thin narratives
over these calls.
"""

__version__ = "0.1.0"
