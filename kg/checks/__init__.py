"""kg.checks"""
