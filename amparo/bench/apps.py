from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "amparo.bench"
    label = "bench"
    verbose_name = "Benchmarks"
