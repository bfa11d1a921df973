import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AMPARO_ENV", "development")
os.environ.setdefault("AMPARO_DATA_DIR", f"{DIR}/db")
import django
django.setup()
