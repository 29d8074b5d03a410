"""kg.lang"""
