"""`amparo bench`: measure Amparo at national scale against the limits of the same machine."""
