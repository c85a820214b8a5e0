"""`python -m cityguard` runs the same CLI as the `cityguard` console script."""

from cityguard.cli import main

if __name__ == "__main__":
    main()
