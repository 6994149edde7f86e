"""Plan-vs-fact and staffing reports for Professionalitet educational clusters."""

__version__ = "0.1.0"
