"""kg.build"""
